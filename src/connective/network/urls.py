from connective.network.views import directory, follows, matches, messages, people

app_name = "network"

# Each views module declares its own routes, so that the parts of the network grow apart.
urlpatterns = [
    *directory.urlpatterns,
    *people.urlpatterns,
    *messages.urlpatterns,
    *follows.urlpatterns,
    *matches.urlpatterns,
]
