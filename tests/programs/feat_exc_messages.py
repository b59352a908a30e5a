# Messages of runtime errors raised by the runtime itself, caught and printed via str(e).
def show(f):
    try:
        f()
        print('no error')
    except Exception as e:
        print(type(e).__name__ + ':', str(e))


show(lambda: 1 / 0)
show(lambda: 1 // 0)
show(lambda: 1 % 0)
show(lambda: 1.0 / 0)
show(lambda: [1, 2][5])
show(lambda: 'ab'[9])
show(lambda: (1,)[3])
show(lambda: {'a': 1}['b'])
show(lambda: {}[(1, 2)])
show(lambda: int('x'))
show(lambda: int('3.5'))
show(lambda: float('abc'))
show(lambda: [1].index(7))
show(lambda: [].pop())
show(lambda: {}.pop('k'))
show(lambda: 1 + 'a')
show(lambda: 'a' + 1)
show(lambda: [1] + (2,))
show(lambda: 'a' * 'b')
five = 5
nothing = None
show(lambda: five())
show(lambda: nothing())
show(lambda: five[0])
show(lambda: len(five))
show(lambda: undefined_name)
show(lambda: (1).nope)
show(lambda: 'abc'.nope)
show(lambda: -'s')
show(lambda: 1 < 'a')
show(lambda: {[1]: 2})
show(lambda: sum(['a', 'b']))
