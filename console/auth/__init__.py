"""Sign-in with an identity provider (OpenID Connect): :mod:`console.auth.oidc`."""
