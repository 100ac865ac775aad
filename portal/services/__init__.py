"""Services: connecting a provider account (OAuth or server-to-server), replacing and
re-authorizing it, authorized hosts, disconnecting, the error log, and the provider
gateway every other feature calls a provider through [S2][S3][S7][S10][S11][S12]."""
