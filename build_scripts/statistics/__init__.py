"""From responses to the statistics table: answers counted, weighted, estimated, protected, compared."""
