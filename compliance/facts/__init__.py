"""Facts: what a model's files say, normalised, with evidence."""
