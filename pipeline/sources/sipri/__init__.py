"""SIPRI's Military Expenditure Database workbooks."""
