# SyntaxError at compile time: nonlocal at module level.
print('never printed')
nonlocal x
