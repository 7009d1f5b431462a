"""From figures to files: charts, pages, share images, the finished tree's writer, the site engine, the last checks."""
