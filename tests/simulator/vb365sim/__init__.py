"""A simulator of the Veeam Backup for Microsoft 365 REST API v8, for tests and demos."""
