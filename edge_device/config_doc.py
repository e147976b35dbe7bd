"""Write the kiosk configuration reference (firmware_config/KIOSK_CONFIG.md) from the
pydantic model itself, so the document cannot drift from the code:

    python -m edge_device.config_doc > firmware_config/KIOSK_CONFIG.md
"""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from edge_device.config import KioskConfig


def _default(field) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "**required**"
    if field.default_factory is not None:
        return "(section)"
    return f"`{field.default!r}`" if field.default is not None else "none"


def _type(annotation) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("pathlib.", "").replace("|", "or")


def render() -> str:
    lines = [
        "# Kiosk configuration (`kiosk.toml`)",
        "",
        "Generated from `edge_device/config.py` by `python -m edge_device.config_doc`; "
        "check a file with `smartcare-kiosk --validate-config kiosk.toml`. Unknown keys "
        "are errors. Relative paths are relative to the file's folder. Secrets are never "
        "in this file: the broker password is `mqtt.password_file` (or the environment "
        "variable `SMARTCARE_KIOSK_MQTT_PASSWORD`), the device key a PEM file of its own "
        "(mode 0600).",
        "",
    ]

    def section(model: type[BaseModel], prefix: str) -> None:
        title = f"`[{prefix}]`" if prefix else "Top level"
        lines.extend([f"## {title}", "", "| key | type | default | meaning |", "|---|---|---|---|"])
        nested = []
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                nested.append((name, annotation))
                continue
            lines.append(
                f"| `{name}` | {_type(annotation)} | {_default(field)} | "
                f"{field.description or ''} |"
            )
        lines.append("")
        for name, sub in nested:
            section(sub, f"{prefix}.{name}" if prefix else name)

    section(KioskConfig, "")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
