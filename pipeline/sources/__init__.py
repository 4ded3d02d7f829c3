"""Pure parsers: a publisher's file in, a tidy pandas DataFrame out. No Dagster here."""
