"""Getting articles in: fetching web pages safely and extracting their body and metadata."""
