"""A DataTable that shows a pandas DataFrame, sortable from the keyboard, that never cuts a number.

``<`` and ``>`` move the sort column (as in htop), ``r`` reverses the order; clicking a
header sorts by it too. Rows are keyed by the frame's index (as str) so screens can
find the grade or BOM line under the cursor whatever the sort.

Widths follow the space the table has (:func:`fit_widths`, again on every resize): text
columns shrink with an ellipsis first, then the table scrolls horizontally, and a number is
never shown cut at the right edge; when columns are out of view the header of the last one
in view ends in ``▸``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

if TYPE_CHECKING:  # pragma: no cover - pandas loads with the first table shown
    import pandas as pd

SORT_GROUP = Binding.Group("Sort", compact=True)


@dataclass(frozen=True)
class Col:
    """How one frame column is shown.

    ``fmt`` is a format spec for numbers ("{:.2f}") or a callable value -> str.
    ``style`` maps the raw value to a Rich style (status colours). Numbers never shrink;
    text columns shrink down to ``min_width``.
    """

    key: str
    label: str
    fmt: str | Callable[[Any], str] = "{}"
    numeric: bool = False
    style: Callable[[Any], str] | None = None
    width: int | None = None
    #: the narrowest a text column shrinks to (with an ellipsis) when space is short;
    #: None: MIN_TEXT_WIDTH. Grade ids keep more: they name the row.
    min_width: int | None = None


def _is_missing(value: Any) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float) and math.isnan(value)


def format_cell(col: Col, value: Any) -> Text:
    """The cell text for ``value`` in column ``col`` (missing values show as a dash)."""
    if _is_missing(value):
        return Text("–", style="dim", justify="right" if col.numeric else "left")
    if callable(col.fmt):
        text = col.fmt(value)
    else:
        try:
            text = col.fmt.format(value)
        except (ValueError, TypeError):
            text = str(value)
    style = col.style(value) if col.style else ""
    return Text(text, style=style or "", justify="right" if col.numeric else "left")


#: Text columns shrink (with an ellipsis) down to this many cells, never below.
MIN_TEXT_WIDTH = 8


def _shrink(widths: list[int], floors: list[int], movable: list[int], excess: int) -> None:
    """Take ``excess`` cells off the ``movable`` columns, widest first (water-filling),
    never below their ``floors``; in place."""
    while excess > 0:
        room = [i for i in movable if widths[i] > floors[i]]
        if not room:
            return
        top = max(widths[i] for i in room)
        for i in room:
            if widths[i] == top and excess > 0:
                widths[i] -= 1
                excess -= 1


def fit_widths(
    natural: list[int],
    numeric: list[bool],
    available: int,
    padding: int,
    min_widths: list[int | None] | None = None,
) -> tuple[list[int], int | None]:
    """Column widths for a table ``available`` cells wide: numbers are never cut.

    Text columns shrink first (widest first, down to ``min_widths``, MIN_TEXT_WIDTH where
    None; their cells are then shown with an ellipsis), until the whole table fits. If it
    still does not, the text columns after the last numeric one keep their width and scroll
    into view; if even the
    numeric part does not fit, the column that would straddle the right edge is pushed past
    it (the column before it is widened), so that no number shows cut at the edge.

    Returns the widths and the index of the last column wholly in view when the table has
    to scroll horizontally (None when everything fits). ``available`` <= 0 (not laid out
    yet): the natural widths.
    """
    widths = list(natural)
    n = len(widths)

    def cost(ws: list[int]) -> int:
        return sum(w + 2 * padding for w in ws)

    if available <= 0 or cost(widths) <= available:
        return widths, None
    mins = min_widths if min_widths is not None else [None] * n
    floors = [
        min(w, MIN_TEXT_WIDTH if m is None else m) for w, m in zip(natural, mins, strict=True)
    ]
    text = [i for i in range(n) if not numeric[i]]
    _shrink(widths, floors, text, cost(widths) - available)
    if cost(widths) <= available:
        return widths, None
    last_num = max((i for i in range(n) if numeric[i]), default=-1)
    widths = list(natural)  # start again: only the head (up to the last number) must fit
    head = [i for i in text if i <= last_num]
    _shrink(widths, floors, head, cost(widths[: last_num + 1]) - available)
    # the first column that does not fit wholly; push it past the edge if it is a number
    edge, start = n, 0
    for i, w in enumerate(widths):
        if start + w + 2 * padding > available:
            edge = i
            break
        start += w + 2 * padding
    if edge < n and numeric[edge] and edge > 0:
        widths[edge - 1] += available - start
    return widths, edge - 1 if edge > 0 else None


class FrameTable(DataTable):
    """DataTable over a DataFrame with keyboard sorting."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "less_than_sign",
            "sort_move(-1)",
            "Sort by previous column",
            key_display="<",
            group=SORT_GROUP,
        ),
        Binding(
            "greater_than_sign",
            "sort_move(1)",
            "Sort by next column",
            key_display=">",
            group=SORT_GROUP,
        ),
        Binding("r", "sort_reverse", "Reverse the sort", group=SORT_GROUP),
        Binding("home,g", "scroll_top", "First row", show=False),
        Binding("end,G", "scroll_bottom", "Last row", show=False),
    ]

    class Sorted(Message):
        """The sort column or direction changed."""

        def __init__(self, table: FrameTable, column: str | None, descending: bool) -> None:
            super().__init__()
            self.table = table
            self.column = column
            self.descending = descending

    def __init__(self, *, sortable: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.sortable = sortable
        self.frame: pd.DataFrame | None = None  # the full (sorted) frame shown
        self.cols: list[Col] = []
        self.sort_key: str | None = None
        self.sort_descending = False
        self._source: Any = None
        self._fitted_for = -1  # the available width the widths were fitted to
        #: index of the last column wholly in view when the table scrolls sideways, else None
        self.last_in_view: int | None = None

    # ---------------------------------------------------------------- render
    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A header or body cell holding one line of plain ``Text`` (what ``format_cell``
        makes) is built straight from its segments: the same padding, justification and
        style layers (base + meta, cell style, cursor/hover post style) that DataTable gets
        by rendering ``Styled(Padding(text))`` through Rich, at a fraction of the cost.
        Anything else (row labels, fixed cells, wrapped or overflowing cells) goes the
        usual way."""
        is_header = row_index == -1
        if (
            column_index < 0
            or row_index < -1
            or column_index < self.fixed_columns
            or (not is_header and row_index < self.fixed_rows)
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._header_row_key if is_header else self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:  # not a cell of the table: DataTable's way
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._cell_render_cache
        if cache_key in cache:
            return cache[cache_key]
        fast = self._plain_cell(row_index, column_index, row_key, is_header, width)
        if fast is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cell, plain = fast
        line = self._cell_line(
            cell, plain, row_index, column_index, base_style, is_header, cursor, hover
        )
        lines = [line]
        cache[cache_key] = lines
        return lines

    def _plain_cell(
        self, row_index: int, column_index: int, row_key: RowKey, is_header: bool, width: int
    ) -> tuple[Text, str] | None:
        """The cell and its text padded to the cell's inner width, when the cell is one
        line of plain ``Text`` that fits; None for anything DataTable renders itself."""
        if is_header:
            height = self.header_height
        else:
            row = self.rows.get(row_key)
            height = 0 if row is None else row.height
        cells = self._get_row_renderables(row_index).cells
        cell = cells[column_index] if column_index < len(cells) else None
        inner = width - 2 * self.cell_padding
        if (
            height != 1
            or type(cell) is not Text
            or cell._spans
            # DataTable swaps an empty cell for its own blank Text (no justify, no style)
            or (cell.justify not in ("left", "right") and (cell.plain or cell.style))
            or inner < 0
        ):
            return None
        plain = cell.plain
        if "\n" in plain or "\t" in plain:
            return None
        if cell.justify == "right":
            plain = plain.rstrip()
            used = cell_len(plain)
            return None if used > inner else (cell, " " * (inner - used) + plain)
        used = cell_len(plain)
        return None if used > inner else (cell, plain + " " * (inner - used))

    def _cell_line(
        self,
        cell: Text,
        plain: str,
        row_index: int,
        column_index: int,
        base_style: Style,
        is_header: bool,
        cursor: bool,
        hover: bool,
    ) -> list[Segment]:
        """The segments of one padded cell line, styled in DataTable's layers."""
        component_style, post_style = self._get_styles_to_render_cell(
            is_header,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        console = self.app.console
        pre = console.get_style(
            base_style
            + Style.from_meta({"row": row_index, "column": column_index})
            + component_style
        )
        post = console.get_style(post_style)
        edge = pre + post if post else pre
        body = pre + console.get_style(cell.style) if cell.style else pre
        if post:
            body += post
        pad = self.cell_padding
        line: list[Segment] = []
        if pad:
            line.append(Segment(" " * pad, edge))
        if plain:
            line.append(Segment(plain, body))
        if pad:
            line.append(Segment(" " * pad, edge))
        return line

    # ------------------------------------------------------------------ data
    def show(self, frame: Any, cols: Sequence[Col], *, keep_cursor: bool = True) -> None:
        """Show ``frame`` (a DataFrame) with columns ``cols``; keeps sort and cursor row."""
        self.cols = [c for c in cols if c.key in frame.columns]
        if self.sort_key is not None and self.sort_key not in frame.columns:
            self.sort_key = None
        self._source = frame
        self._render_frame(keep_cursor=keep_cursor)

    def _sorted(self, frame: Any) -> Any:
        if self.sort_key is None or not self.sortable:
            return frame
        try:
            return frame.sort_values(
                self.sort_key, ascending=not self.sort_descending, na_position="last", kind="stable"
            )
        except (TypeError, ValueError) as exc:  # mixed types: keep the order, say why
            self.notify(f"Cannot sort by {self.sort_key}: {exc}", severity="warning")
            return frame

    def _render_frame(self, keep_cursor: bool = True) -> None:
        current = self.current_key() if keep_cursor else None
        frame = self._sorted(self._source)
        self.frame = frame
        self.clear(columns=True)
        columns = [frame[c.key].tolist() for c in self.cols]
        keys = [str(k) for k in frame.index]
        cells = [
            [format_cell(col, v) for v in values]
            for col, values in zip(self.cols, columns, strict=True)
        ]
        labels = []
        for col in self.cols:
            label = col.label
            if col.key == self.sort_key:
                label += " ▼" if self.sort_descending else " ▲"
            labels.append(label)
        # Explicit widths: DataTable's auto width can keep stale cached cells when a
        # table is refilled with the same row keys.
        natural = [
            col.width or max([cell_len(label)] + [t.cell_len for t in col_cells])
            for col, label, col_cells in zip(self.cols, labels, cells, strict=True)
        ]
        available = self._available_width()
        self._fitted_for = available
        widths, self.last_in_view = fit_widths(
            natural,
            [c.numeric for c in self.cols],
            available,
            self.cell_padding,
            [c.min_width for c in self.cols],
        )
        for i, (col, label, col_cells) in enumerate(zip(self.cols, labels, cells, strict=True)):
            width = widths[i]
            if width < natural[i]:  # a text column shrunk to fit: ellipsis, never a number
                for text in col_cells:
                    text.truncate(width, overflow="ellipsis")
            if i == self.last_in_view:  # more columns to the right: scroll
                room = width - cell_len(label)
                label = label + " ▸" if room >= 2 else label[: max(width - 1, 1)] + "▸"
            header = Text(label, justify="right" if col.numeric else "left")
            header.truncate(width, overflow="ellipsis")
            self.add_column(header, key=col.key, width=width)
        for i, key in enumerate(keys):
            self.add_row(*(col_cells[i] for col_cells in cells), key=key)
        if current is not None and current in keys:
            self.move_cursor(row=keys.index(current), animate=False)

    def _available_width(self) -> int:
        """Cells the columns can use without scrolling (the vertical scrollbar's column is
        always kept free); 0 before the table is laid out."""
        width = self.size.width
        if width <= 0:
            return 0
        return max(width - int(self.styles.scrollbar_size_vertical or 0), 1)

    def on_resize(self, event: Any) -> None:
        if self._source is not None and self._available_width() != self._fitted_for:
            self._render_frame()

    def current_key(self) -> str | None:
        """Index value (as str) of the row under the cursor, or None."""
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return row_key.value

    def current_row_text(self) -> str:
        """Tab-separated header and values of the row under the cursor (for the clipboard)."""
        key = self.current_key()
        if key is None or self.frame is None:
            return ""
        row = self.frame.loc[self.frame.index.astype(str) == key].iloc[0]
        header = "\t".join(c.label for c in self.cols)
        values = "\t".join(format_cell(c, row[c.key]).plain for c in self.cols)
        return header + "\n" + values

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # sort keys are hidden from the footer and inactive on an unsortable table
        return self.sortable or action not in ("sort_move", "sort_reverse")

    # --------------------------------------------------------------- sorting
    def sort_by(self, key: str | None, descending: bool | None = None) -> None:
        """Sort by frame column ``key`` (None: frame order)."""
        if descending is None:
            descending = self.sort_descending if key == self.sort_key else False
        self.sort_key = key
        self.sort_descending = descending
        if self.frame is not None:
            self._render_frame()
        self.post_message(self.Sorted(self, key, descending))

    def action_sort_move(self, step: int) -> None:
        if not self.cols or not self.sortable:
            return
        keys = [c.key for c in self.cols]
        i = keys.index(self.sort_key) if self.sort_key in keys else (-1 if step > 0 else 0)
        self.sort_by(keys[(i + step) % len(keys)], descending=False)

    def action_sort_reverse(self) -> None:
        if self.sort_key is None and self.cols:
            self.sort_key = self.cols[0].key
        self.sort_by(self.sort_key, descending=not self.sort_descending)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key == self.sort_key:
            self.sort_by(key, descending=not self.sort_descending)
        else:
            self.sort_by(key, descending=False)
