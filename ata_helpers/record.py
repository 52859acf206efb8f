"""`record_notebook`: an executed notebook as one HTML file that is safe to share and opens offline.

The notebook is read with nbformat, every string in it (cell sources, outputs, the saved widget
state) goes through the same masking as the line report (known secrets, `password=` fields, digest
values; a Password widget's value is emptied), each saved form (an ipywidgets view) is drawn as
static HTML from its saved state, and nbconvert's JupyterLab template writes the page with its CSS
and images inline and without any script, so the forms and charts show in any browser, offline.
A form whose state was not saved with the notebook shows its text form and a note saying so.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Callable

__all__ = ["record_notebook", "find_notebook", "static_widgets"]

_VIEW = "application/vnd.jupyter.widget-view+json"
_STATE = "application/vnd.jupyter.widget-state+json"
_PREFIX = "IPY_MODEL_"
_TEXT_INPUTS = {"TextModel", "IntTextModel", "FloatTextModel", "BoundedIntTextModel", "BoundedFloatTextModel",
                "ComboboxModel", "DatePickerModel", "TimePickerModel", "ColorPickerModel"}
_CHOICES = {"DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel", "SelectionSliderModel"}
_BOXES = {"VBoxModel": "ata-vbox", "HBoxModel": "ata-hbox", "BoxModel": "ata-vbox", "GridBoxModel": "ata-hbox",
          "AccordionModel": "ata-vbox", "TabModel": "ata-vbox", "StackModel": "ata-vbox"}


LEARNER_FOLDER = "my-notebooks"
"""Where `make lab` puts the learner's own copies of the notebooks (git-ignored)."""


def find_notebook(name: str | Path) -> Path:
    """A notebook path from a path (any `*.ipynb`) or a course number such as "07" or a name such as "07_calls".

    A number names the learner's own copy in `my-notebooks/` (made by `make lab`) when it exists,
    else the course's committed one in `notebooks/`. Raises ValidationError for a missing file and
    for a name that is not exactly one notebook's number or name, listing the valid numbers.
    """
    from .errors import ValidationError
    from .settings import project_root

    path = Path(name)
    if path.suffix == ".ipynb":
        if not path.is_file():
            raise ValidationError("notebook", f"no such notebook: {path}")
        return path
    root = project_root() or Path.cwd()
    course = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    text = str(name).strip()
    wanted = text.zfill(2) if text.isdigit() else text
    stems = [nb.stem for nb in course if wanted in (nb.stem[:2], nb.stem)]
    if len(stems) != 1:
        numbers = ", ".join(nb.stem[:2] for nb in course) or "none found"
        raise ValidationError("notebook", f"no notebook numbered {name} in {root / 'notebooks'}; give one "
                                          f"number ({numbers}) or a path to an .ipynb file", name)
    own = root / LEARNER_FOLDER / f"{stems[0]}.ipynb"
    return own if own.is_file() else root / "notebooks" / f"{stems[0]}.ipynb"


def _walk_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_walk_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _walk_strings(v, change) for k, v in value.items()}
    return value


class _Forms:
    """Draws saved widget models as static HTML."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.models = state

    def draw(self, model_id: str, depth: int = 0) -> str | None:
        model = self.models.get(model_id)
        if model is None or depth > 30:
            return None
        name = model.get("model_name", "")
        s = model.get("state", {})
        if self._hidden(s):
            return ""
        description = html.escape(str(s.get("description", "") or ""))
        label = f"<label>{description}</label>" if description else ""
        if name in _BOXES:
            children = [self.draw(c[len(_PREFIX):], depth + 1) or "" for c in s.get("children", [])
                        if isinstance(c, str) and c.startswith(_PREFIX)]
            return f'<div class="ata-form {_BOXES[name]}">{"".join(children)}</div>'
        if name == "LabelModel":
            return f"<span>{html.escape(str(s.get('value', '')))}</span>"
        if name in ("HTMLModel", "HTMLMathModel"):
            return f"<div>{s.get('value', '')}</div>"  # the library's own markup, masked like the rest
        if name == "PasswordModel":
            shown = "••••" if s.get("value") else ""
            return f'<div class="ata-field">{label}<input type="password" disabled placeholder="{shown}"></div>'
        if name in _TEXT_INPUTS:
            value = html.escape(str(s.get("value", "") if s.get("value") is not None else ""))
            return f'<div class="ata-field">{label}<input type="text" disabled value="{value}"></div>'
        if name == "TextareaModel":
            value = html.escape(str(s.get("value", "") or ""))
            return f'<div class="ata-field">{label}<textarea disabled rows="3">{value}</textarea></div>'
        if name in _CHOICES:
            labels = s.get("_options_labels", [])
            index = s.get("index")
            options = "".join(f"<option{' selected' if i == index else ''}>{html.escape(str(o))}</option>"
                              for i, o in enumerate(labels))
            return f'<div class="ata-field">{label}<select disabled>{options}</select></div>'
        if name == "SelectMultipleModel":
            labels, chosen = s.get("_options_labels", []), set(s.get("index", []) or [])
            options = "".join(f"<option{' selected' if i in chosen else ''}>{html.escape(str(o))}</option>"
                              for i, o in enumerate(labels))
            return f'<div class="ata-field">{label}<select multiple disabled>{options}</select></div>'
        if name in ("CheckboxModel", "ToggleButtonModel"):
            checked = " checked" if s.get("value") else ""
            return f'<div class="ata-field"><input type="checkbox" disabled{checked}>{label}</div>'
        if name == "ButtonModel":
            style = " ata-primary" if s.get("button_style") == "primary" else ""
            return f'<button class="ata-button{style}" disabled>{description}</button>'
        if name in ("IntProgressModel", "FloatProgressModel", "IntSliderModel", "FloatSliderModel"):
            return (f'<div class="ata-field">{label}<progress max="{s.get("max", 100)}" '
                    f'value="{s.get("value", 0)}"></progress></div>')
        if name == "OutputModel":
            return f'<div class="ata-output">{"".join(self._output(o, depth) for o in s.get("outputs", []))}</div>'
        return f"<span class=\"ata-record-note\">[{html.escape(name)}]</span>"

    def _hidden(self, s: dict[str, Any]) -> bool:
        layout = s.get("layout")
        if isinstance(layout, str) and layout.startswith(_PREFIX):
            look = self.models.get(layout[len(_PREFIX):], {}).get("state", {})
            return look.get("display") == "none" or look.get("visibility") == "hidden"
        return False

    def _output(self, output: dict[str, Any], depth: int) -> str:
        kind = output.get("output_type")
        if kind == "stream":
            return f"<pre>{html.escape(''.join(output.get('text', '')))}</pre>"
        if kind == "error":
            return f"<pre>{html.escape(output.get('ename', ''))}: {html.escape(output.get('evalue', ''))}</pre>"
        data = output.get("data", {})
        if _VIEW in data:
            drawn = self.draw(data[_VIEW].get("model_id", ""), depth + 1)
            if drawn is not None:
                return drawn
        if "text/html" in data:
            return "".join(data["text/html"])
        if "image/png" in data:
            return f'<img alt="chart" src="data:image/png;base64,{"".join(data["image/png"]).strip()}">'
        if "image/svg+xml" in data:
            return "".join(data["image/svg+xml"])
        return f"<pre>{html.escape(''.join(data.get('text/plain', '')))}</pre>"


def static_widgets(nb: Any) -> int:
    """Replace every widget view in `nb` by static HTML drawn from its saved state; returns how many.

    A view whose model was not saved keeps its text and gains a note. The widget state is then
    removed from the metadata, so no exporter adds the widget manager's script.
    """
    saved = nb.metadata.get("widgets", {}).get(_STATE, {}).get("state", {})
    forms = _Forms(saved)
    drawn = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if _VIEW not in data:
                continue
            rendered = forms.draw(data[_VIEW].get("model_id", ""))
            if rendered is None:
                text = html.escape("".join(data.get("text/plain", "")))
                rendered = (f'<pre>{text}</pre><p class="ata-record-note">This form was not saved with the '
                            "notebook; open the notebook in JupyterLab to see it.</p>")
            else:
                drawn += 1
            output["data"] = {"text/html": rendered}
    nb.metadata.pop("widgets", None)
    return drawn


def _mask_passwords(nb: Any) -> None:
    state = nb.metadata.get("widgets", {}).get(_STATE, {}).get("state", {})
    for model in state.values():
        if model.get("model_name") == "PasswordModel" and model.get("state", {}).get("value"):
            model["state"]["value"] = "••••"


def record_notebook(notebook: str | Path, output: str | Path | None = None) -> Path:
    """Export an executed notebook to one self-contained HTML file with secrets masked.

    `notebook` is a path or a number ("07"; the learner's copy in `my-notebooks/` when there is one,
    see `find_notebook`). The file goes to `output`, else `records/<name>.html`
    at the project root (git-ignored), written readable by its owner only (0600). Raises
    ValidationError when the notebook is not found.
    """
    import nbformat
    from nbconvert import HTMLExporter

    from .report import scrub
    from .settings import output_file, project_root, write_private_file

    if output is not None:
        output = output_file(output, "output")
    path = find_notebook(notebook)
    nb = nbformat.read(path, as_version=4)
    _mask_passwords(nb)
    nb = nbformat.from_dict(_walk_strings(nb, scrub))
    static_widgets(nb)
    templates = Path(__file__).parent / "templates" / "nbconvert"
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(templates)],
                            template_file="ata_record.html.j2", embed_images=True)
    body, _resources = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    body = scrub(body)
    if output is None:
        folder = (project_root() or Path.cwd()) / "records"
        folder.mkdir(exist_ok=True)
        output = folder / f"{path.stem}.html"
    target = Path(output)
    write_private_file(target, body)
    return target
