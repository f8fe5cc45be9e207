"""Claims: highlighting, their life through the queue, history."""
