"""Pure chess and statistics values: no Flask, no Dash, no SQL."""
