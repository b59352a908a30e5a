# Late binding: every lambda made in the loop shares the cell of `i`; a default binds early.
def make():
    late = []
    early = []
    for i in range(3):
        late.append(lambda: i)
        early.append(lambda i=i: i)
    return late, early


late, early = make()
print(late[0](), early[0]())
