# try/except inside a closure; the handler reads a captured variable.
def make_safe_div(default):
    def div(a, b):
        try:
            return a / b
        except ZeroDivisionError:
            return default
    return div


d = make_safe_div(-1)
print(d(6, 3), d(1, 0))
