"""Messages between a patient and their therapist: one thread per patient.

``threads`` holds the service functions (post, read the thread and mark it read, unread counts
for many patients at once); ``hep.push.message_notices`` tells the other side.
"""
