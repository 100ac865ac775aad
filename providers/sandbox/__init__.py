"""What the provider sandboxes (``providers/<key>/sandbox/``) share: the per-app runtime,
the webhook sender thread, the state's token/fault/request-log parts, the common
``/_sandbox/`` controls, the OAuth consent helpers and the command line. Each sandbox
keeps only what its provider's API does its own way."""
