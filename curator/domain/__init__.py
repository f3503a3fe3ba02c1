"""Pure values and rules: no Qt, httpx or peewee."""
