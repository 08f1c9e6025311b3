"""Identity: users, operators, memberships, Plt/Plh, API tokens, sign-in throttling."""
