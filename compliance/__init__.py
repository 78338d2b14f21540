"""compliance: may we legally use this open-weight model the way we plan to?"""

__version__ = "0.1.0"
