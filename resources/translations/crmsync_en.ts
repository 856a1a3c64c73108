<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AlertsPage</name>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/alerts.py" line="87"/>
        <source>%n alert(s) not yet acknowledged</source>
        <translation>
            <numerusform>%n alert not yet acknowledged</numerusform>
            <numerusform>%n alerts not yet acknowledged</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="256"/>
        <source>%n mailbox(es) failing or backing off</source>
        <translation>
            <numerusform>%n mailbox failing or backing off</numerusform>
            <numerusform>%n mailboxes failing or backing off</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="257"/>
        <source>%n alert(s) not acknowledged</source>
        <translation>
            <numerusform>%n alert not acknowledged</numerusform>
            <numerusform>%n alerts not acknowledged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="259"/>
        <source>%n profile(s) paused (server down)</source>
        <translation>
            <numerusform>%n profile paused (server down)</numerusform>
            <numerusform>%n profiles paused (server down)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FilterEditor</name>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="270"/>
        <source>%n contact(s) match now.</source>
        <translation>
            <numerusform>%n contact matches now.</numerusform>
            <numerusform>%n contacts match now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="273"/>
        <source>%n appointment(s) match now.</source>
        <translation>
            <numerusform>%n appointment matches now.</numerusform>
            <numerusform>%n appointments match now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="275"/>
        <source>%n task(s) match now.</source>
        <translation>
            <numerusform>%n task matches now.</numerusform>
            <numerusform>%n tasks match now.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MailboxesPage</name>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="430"/>
        <source>%n mailbox(es) approved.</source>
        <translation>
            <numerusform>%n mailbox approved.</numerusform>
            <numerusform>%n mailboxes approved.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="431"/>
        <source>%n mailbox(es) rejected.</source>
        <translation>
            <numerusform>%n mailbox rejected.</numerusform>
            <numerusform>%n mailboxes rejected.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="439"/>
        <source>%n mailbox(es) enabled.</source>
        <translation>
            <numerusform>%n mailbox enabled.</numerusform>
            <numerusform>%n mailboxes enabled.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="440"/>
        <source>%n mailbox(es) disabled.</source>
        <translation>
            <numerusform>%n mailbox disabled.</numerusform>
            <numerusform>%n mailboxes disabled.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="455"/>
        <source>%n mailbox(es) were re-enabled.</source>
        <translation>
            <numerusform>%n mailbox was re-enabled.</numerusform>
            <numerusform>%n mailboxes were re-enabled.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/main_window.py" line="158"/>
        <source>%n alert(s) not yet acknowledged: {0}</source>
        <translation>
            <numerusform>%n alert not yet acknowledged: {0}</numerusform>
            <numerusform>%n alerts not yet acknowledged: {0}</numerusform>
        </translation>
    </message>
</context>
</TS>
