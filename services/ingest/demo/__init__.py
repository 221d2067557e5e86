"""Demo source: importing this package registers the `demo` connector."""

from services.ingest.demo.source import (
    DEFAULT_SAMPLE_PATH,
    DemoConfigError,
    DemoConnector,
    DemoOptions,
    SampleFileError,
    SampleItem,
    load_sample,
)

__all__ = [
    "DEFAULT_SAMPLE_PATH",
    "DemoConfigError",
    "DemoConnector",
    "DemoOptions",
    "SampleFileError",
    "SampleItem",
    "load_sample",
]
