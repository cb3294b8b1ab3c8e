"""Microsoft Teams notifications: Adaptive Card builder, Workflows webhook and Graph channel transports."""
