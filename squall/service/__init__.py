"""squall as a service: the API over HTTP (and, later, the web portal)."""
