# Unsupported: OSError(errno, strerror) (CPython picks a subclass by errno and keeps a
# filename argument out of `args`); cellar raises NotImplementedError rather than get it
# subtly wrong. A message alone works (tests/programs/os_errors.py).
print("before")
e = OSError(2, "No such file or directory")
print(type(e).__name__, e)
