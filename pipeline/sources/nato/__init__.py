"""NATO's files: the workbook (2024 layout and 2025/2026 layout), the edition CSVs and the derived
vintages."""
