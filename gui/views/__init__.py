"""The widgets a tab is built from; they show state and emit intents, nothing more."""
