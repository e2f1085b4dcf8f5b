"""Reports and figures: thin layers over the API."""
