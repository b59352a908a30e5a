# NameError after `del` of a global name.
payload = 'here'
print(payload)
del payload
print(payload)
