from django.urls import path

from connective.practices.views import browse, detail, export, submit

app_name = "practices"

urlpatterns = [
    path("", browse.practice_list, name="list"),
    path("map/", browse.practice_map, name="map"),
    path("export.<str:fmt>", export.practice_export, name="export"),
    path("mine/", submit.my_practices, name="mine"),
    path("new/", submit.practice_submit, name="submit"),
    path("<slug:slug>/", detail.practice_detail, name="detail"),
    path("<slug:slug>/edit/", submit.practice_edit, name="edit"),
    path("<slug:slug>/contact/", detail.practice_contact, name="contact"),
    path("<slug:slug>/pdf/", detail.practice_pdf, name="pdf"),
]
