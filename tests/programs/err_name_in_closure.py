# NameError raised inside a closure for a name defined nowhere (typo of a free variable).
def make():
    total = 10

    def get():
        return totl
    return get


g = make()
print('made', g.__name__)
print(g())
