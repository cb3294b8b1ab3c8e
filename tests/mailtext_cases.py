"""Bodies shared by the mail-text tests of every connector (issue 9.15)."""

from __future__ import annotations

#: A table (inscriptis pads cells with spaces), a list and an entity.
HTML = (
    "<html><body><p>Hello,</p><table><tr><td>Order</td><td>4711</td></tr>"
    "<tr><td>Amount due now</td><td>12 &euro;</td></tr></table>"
    "<ul><li>first</li><li>second</li></ul><p>Thanks</p></body></html>"
)
#: A Danish reply above a Danish quote header ("Den … skrev …:").
DANISH_QUOTE = (
    "Tak, det passer fint.\n\nDen 3. jun. 2025 kl. 10.15 skrev Support <support@ours.example>:\n"
    "> Vi har modtaget din faktura.\n> Mvh Support"
)
