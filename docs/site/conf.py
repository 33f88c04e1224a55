# Sphinx configuration of the vb365.restore documentation site (docs/site/build.sh uses it).
# The site is built offline: no intersphinx inventories are fetched, and references to other
# collections' pages (which are not part of this site) are left as plain text.

project = 'vb365.restore'
copyright = 'vb365.restore contributors'  # pylint: disable=redefined-builtin
title = 'vb365.restore: Exchange restores from Veeam Backup for Microsoft 365'
html_short_title = 'vb365.restore'
html_title = title

extensions = ['sphinx_antsibull_ext']
pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {'display_version': False}

intersphinx_mapping = {}
suppress_warnings = ['ref.ref']
default_role = 'any'
nitpicky = False
exclude_patterns = ['_build']
