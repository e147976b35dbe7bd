"""``smartcare-provision``: the admin's tool for the kiosk fleet: a private CA and the
broker's certificate, the hub's signing key, device identities, broker credentials and
ACLs, device bundles, revocation."""
