# SyntaxError at compile time: return outside a function.
print('never printed')
return 5
