"""Skip rules, the versioned policy pack and routing: pure functions over typed items, no I/O to outside systems."""
