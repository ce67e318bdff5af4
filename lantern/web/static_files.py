from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
