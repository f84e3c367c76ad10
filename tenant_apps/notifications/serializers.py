from rest_framework import serializers

ALWAYS_SENT = ["offers", "interviews", "application_outcomes", "account"]


class PreferenceOutput(serializers.Serializer):
    drive_openings = serializers.BooleanField(
        help_text="E-mails about new drives you are eligible for."
    )
    application_updates = serializers.BooleanField(
        help_text="E-mails when an application is shortlisted, in process or withdrawn."
    )
    always_sent = serializers.SerializerMethodField(
        help_text="Essential mail, sent whatever the preferences: offers, interviews, the "
        "outcome of applications (offered, rejected) and account mail."
    )

    def get_always_sent(self, obj) -> list[str]:
        return ALWAYS_SENT


class PreferenceInput(serializers.Serializer):
    drive_openings = serializers.BooleanField(required=False)
    application_updates = serializers.BooleanField(required=False)
