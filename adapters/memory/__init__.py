"""In-memory adapters: the domain's tests and the offline demo run on these."""
