from django.urls import path

from .views import auth, linkage, pages, people, sharing, users

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in", auth.SignInView.as_view(), name="sign-in"),
    path("sign-out", auth.sign_out, name="sign-out"),
    path("people/find", people.find_by_reference, name="person-find"),
    path("people/search", people.person_search, name="person-search"),
    path("people/<str:reference>", people.person_detail, name="person"),
    path("people/<str:reference>/chronology.<str:file_format>", people.chronology_export,
         name="person-chronology-export"),
    path("people/<str:reference>/records/<int:record_id>/not-same", people.record_not_same,
         name="person-record-not-same"),
    path("people/<str:reference>/history", linkage.person_history, name="person-history"),
    path("people/<str:reference>/split", linkage.split_person, name="person-split"),
    path("people/<str:reference>/merge", linkage.merge_person, name="person-merge"),
    path("people/<str:reference>/request-information", people.request_information,
         name="person-request-information"),
    path("sharing/requests", sharing.share_requests, name="share-requests"),
    path("sharing/requests/<int:request_id>", sharing.share_request, name="share-request"),
    path("linkage/review", linkage.review_queue, name="review-queue"),
    path("linkage/review/<int:pair_id>", linkage.review_pair, name="review-pair"),
    path("users", users.user_list, name="users"),
    path("users/new", users.user_new, name="user-new"),
    path("users/<int:user_id>", users.user_edit, name="user-edit"),
    path("health", pages.health, name="health"),
]
