# Closure article: closure with mutable state; the list persists across calls.
def make_list_appender():
    items = []

    def append_item(x):
        items.append(x)
        return items

    return append_item


appender = make_list_appender()
print(appender(1))
print(appender(2))
print(appender("three"))
