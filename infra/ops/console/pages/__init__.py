"""One module per view; each page function takes the request and answers HTML."""
