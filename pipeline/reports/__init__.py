"""What the Dagster UI shows an analyst about the marts: charts and previews (no Dagster here)."""
