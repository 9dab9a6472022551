"""Names the Python widget models use to find their TypeScript counterparts."""

MODULE_NAME = "nncards-widget"
MODULE_VERSION = "^0.1.0"
