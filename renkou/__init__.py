"""Renkou (人口): target management and accountability for population and family-services work."""
