"""HTTP plumbing shared by every remote service: one client factory, error mapping, rate
limiting. Depends only on ``curator.domain``."""
