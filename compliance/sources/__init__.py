"""Sources: where a model's files come from (the Hub, or an offline mirror folder)."""
