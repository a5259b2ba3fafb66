"""Scale-out: several ``cityhub serve`` processes against one PostgreSQL database (issue 8)."""
