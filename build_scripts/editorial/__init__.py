"""The words around the numbers: house style, honest phrasing, checked claims and the renderer of the copy."""
