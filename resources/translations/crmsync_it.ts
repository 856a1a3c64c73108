<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>AlertBanner</name>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/alert_banner.py" line="44"/>
        <source>Show alerts</source>
        <translation>Mostra avvisi</translation>
    </message>
</context>
<context>
    <name>AlertTableModel</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/alerts.py" line="50"/>
        <source>yes</source>
        <translation>sì</translation>
    </message>
</context>
<context>
    <name>AlertsPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/alerts.py" line="72"/>
        <source>Acknowledge</source>
        <translation>Conferma</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/alerts.py" line="73"/>
        <source>Open profile</source>
        <translation>Apri profilo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/alerts.py" line="74"/>
        <source>Open mailboxes</source>
        <translation>Apri cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/alerts.py" line="75"/>
        <source>Show acknowledged</source>
        <translation>Mostra confermati</translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/alerts.py" line="87"/>
        <source>%n alert(s) not yet acknowledged</source>
        <translation>
            <numerusform>%n avviso non ancora confermato</numerusform>
            <numerusform>%n avvisi non ancora confermati</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ArrivalChart</name>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/arrival_chart.py" line="41"/>
        <source>Median</source>
        <translation>Mediana</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/arrival_chart.py" line="41"/>
        <source>99th percentile</source>
        <translation>99° percentile</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/arrival_chart.py" line="69"/>
        <source>Arrival to CRM of tracked email</source>
        <translation>Dall&apos;arrivo al CRM dei messaggi tracciati</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/arrival_chart.py" line="71"/>
        <source>{0}&lt;br&gt;last email, median of mailboxes: {1}</source>
        <translation>{0}&lt;br&gt;ultimo messaggio, mediana delle cassette postali: {1}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/arrival_chart.py" line="74"/>
        <source>{0}&lt;br&gt;none in the last 24 hours</source>
        <translation>{0}&lt;br&gt;nessuna nelle ultime 24 ore</translation>
    </message>
</context>
<context>
    <name>CutoverDialog</name>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="40"/>
        <source>Move profile {0} to {1}</source>
        <translation>Sposta il profilo {0} su {1}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="42"/>
        <source>Every mailbox of the profile is tested over {0} and the ids of its tracked email and synced appointments, contacts and tasks are translated, so nothing is tracked or created again. Start with a dry run: it changes nothing.</source>
        <translation>Ogni cassetta postale del profilo viene provata su {0} e gli ID delle sue email tracciate e di appuntamenti, contatti e attività sincronizzati vengono tradotti, così nulla viene tracciato o creato di nuovo. Inizia con una prova: non cambia nulla.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="46"/>
        <source>Mailbox</source>
        <translation>Cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="46"/>
        <source>Items known on both</source>
        <translation>Elementi noti su entrambi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="46"/>
        <source>Result</source>
        <translation>Esito</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="59"/>
        <source>Dry run</source>
        <translation>Prova</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="60"/>
        <source>Cut over to {0}</source>
        <translation>Passa a {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="76"/>
        <source>Testing every mailbox over {0}…</source>
        <translation>Prova di ogni cassetta postale su {0}…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="93"/>
        <source>Stopped; nothing was changed.</source>
        <translation>Interrotto; non è stato cambiato nulla.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="105"/>
        <source>ready</source>
        <translation>pronta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="106"/>
        <source>{0} of {1} ({2}%)</source>
        <translation>{0} di {1} ({2}%)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="107"/>
        <source>not counted</source>
        <translation>non contati</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="122"/>
        <source>Done: profile {0} now syncs over {1}; {2} mailboxes moved.</source>
        <translation>Fatto: il profilo {0} ora sincronizza su {1}; {2} cassette postali spostate.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="125"/>
        <source>Dry run: all {0} mailboxes are ready; nothing was changed. Cut over when you are ready.</source>
        <translation>Prova: tutte le {0} cassette postali sono pronte; non è stato cambiato nulla. Passa quando vuoi.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/cutover_dialog.py" line="128"/>
        <source>{0} of {1} mailboxes are not ready; nothing was changed. Fix what the list says, then run the dry run again.</source>
        <translation>{0} di {1} cassette postali non sono pronte; non è stato cambiato nulla. Correggi ciò che dice l&apos;elenco, poi ripeti la prova.</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="106"/>
        <source>Live activity</source>
        <translation>Attività in tempo reale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="92"/>
        <source>Mailboxes by status</source>
        <translation>Cassette postali per stato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="97"/>
        <source>Items synced per hour (UTC)</source>
        <translation>Elementi sincronizzati per ora (UTC)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="98"/>
        <source>Errors and warnings per hour (UTC)</source>
        <translation>Errori e avvertenze per ora (UTC)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="101"/>
        <source>Waiting</source>
        <translation>In attesa</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="149"/>
        <source>Email in</source>
        <translation>Posta in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="149"/>
        <source>Email out</source>
        <translation>Posta in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="149"/>
        <source>ACT</source>
        <translation>ACT</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="151"/>
        <source>Warnings</source>
        <translation>Avvertenze</translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="256"/>
        <source>%n mailbox(es) failing or backing off</source>
        <translation>
            <numerusform>%n cassetta postale con errori o in attesa</numerusform>
            <numerusform>%n cassette postali con errori o in attesa</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="257"/>
        <source>%n alert(s) not acknowledged</source>
        <translation>
            <numerusform>%n avviso non confermato</numerusform>
            <numerusform>%n avvisi non confermati</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="259"/>
        <source>%n profile(s) paused (server down)</source>
        <translation>
            <numerusform>%n profilo in pausa (server non raggiungibile)</numerusform>
            <numerusform>%n profili in pausa (server non raggiungibile)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="314"/>
        <source>engine queue {0}: {1} waiting, {2} running</source>
        <translation>coda {0} del motore: {1} in attesa, {2} in esecuzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/dashboard.py" line="150"/>
        <source>Errors</source>
        <translation>Errori</translation>
    </message>
</context>
<context>
    <name>DecisionTableModel</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="75"/>
        <source>Waiting to be reprocessed</source>
        <translation>In attesa di rielaborazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="76"/>
        <source>Unreadable</source>
        <translation>Illeggibile</translation>
    </message>
</context>
<context>
    <name>DryRun</name>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/dry_run.py" line="18"/>
        <source>{0} created in Exchange ({1}): {2}</source>
        <translation>{0} da creare in Exchange ({1}): {2}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/dry_run.py" line="19"/>
        <source>{0} deleted from Exchange ({1}): {2}</source>
        <translation>{0} da eliminare da Exchange ({1}): {2}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/dry_run.py" line="24"/>
        <source> and {0} more</source>
        <translation> e altri {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/dry_run.py" line="26"/>
        <source>Nothing is created or deleted in Exchange.</source>
        <translation>In Exchange non viene creato né eliminato nulla.</translation>
    </message>
</context>
<context>
    <name>ErrorsPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="144"/>
        <source>All levels</source>
        <translation>Tutti i livelli</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="146"/>
        <source>{0} and above</source>
        <translation>{0} e superiori</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="158"/>
        <source>Code</source>
        <translation>Codice</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="162"/>
        <source>Text in the message (Ctrl+F)</source>
        <translation>Testo nel messaggio (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="165"/>
        <source>From</source>
        <translation>Da</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="167"/>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="179"/>
        <source>Export CSV…</source>
        <translation>Esporta CSV…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="232"/>
        <source>Trace log</source>
        <translation>Registro eventi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="233"/>
        <source>Why wasn&apos;t this email tracked?</source>
        <translation>Perché questo messaggio non è stato registrato?</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="152"/>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="250"/>
        <source>All mailboxes</source>
        <translation>Tutte le cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="152"/>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="251"/>
        <source>All profiles</source>
        <translation>Tutti i profili</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="280"/>
        <source>counting…</source>
        <translation>conteggio…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="303"/>
        <source>{0} matching rows</source>
        <translation>{0} righe corrispondenti</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="325"/>
        <source>What to do</source>
        <translation>Cosa fare</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="325"/>
        <source>Mailbox</source>
        <translation>Cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="325"/>
        <source>Profile</source>
        <translation>Profilo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="326"/>
        <source>Record</source>
        <translation>Record</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="326"/>
        <source>regarding</source>
        <translation>relativo a</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="326"/>
        <source>Why</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="327"/>
        <source>Seen {0} times, first {1}, last {2}.</source>
        <translation>Visto {0} volte, la prima {1}, l&apos;ultima {2}.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="341"/>
        <source>Save the email as it arrived…</source>
        <translation>Salva l&apos;email così come è arrivata…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="342"/>
        <source>{0} bytes</source>
        <translation>{0} byte</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="343"/>
        <source>its first {0} of {1} bytes</source>
        <translation>i primi {0} di {1} byte</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="362"/>
        <source>Save the unreadable email</source>
        <translation>Salva l&apos;email illeggibile</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="363"/>
        <source>Email files (*.eml)</source>
        <translation>File email (*.eml)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="371"/>
        <source>That email is no longer kept.</source>
        <translation>Quell&apos;email non è più conservata.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="377"/>
        <source>Could not save {0}: {1}</source>
        <translation>Impossibile salvare {0}: {1}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="379"/>
        <source>Saved the email to {0}</source>
        <translation>Email salvata in {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="383"/>
        <source>Export the filtered rows</source>
        <translation>Esporta le righe filtrate</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="384"/>
        <source>CSV files (*.csv)</source>
        <translation>File CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/errors.py" line="391"/>
        <source>Exported {0} rows to {1}</source>
        <translation>Esportate {0} righe in {1}</translation>
    </message>
</context>
<context>
    <name>FilterEditor</name>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="54"/>
        <source>Add query</source>
        <translation>Aggiungi query</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="56"/>
        <source>Remove query</source>
        <translation>Rimuovi query</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="59"/>
        <source>Saved queries (a record syncs when any active one matches):</source>
        <translation>Query salvate (un record si sincronizza se una query attiva corrisponde):</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="68"/>
        <source>Field</source>
        <translation>Campo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="68"/>
        <source>Operator</source>
        <translation>Operatore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="68"/>
        <source>Value</source>
        <translation>Valore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="71"/>
        <source>Add rule</source>
        <translation>Aggiungi regola</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="73"/>
        <source>Remove rule</source>
        <translation>Rimuovi regola</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="75"/>
        <source>Rules (all must match)</source>
        <translation>Regole (devono corrispondere tutte)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="87"/>
        <source>Preview</source>
        <translation>Anteprima</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="140"/>
        <source>New query {0}</source>
        <translation>Nuova query {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="202"/>
        <source>value</source>
        <translation>valore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="215"/>
        <source>@me (this user) or a user id</source>
        <translation>@me (questo utente) o l&apos;id di un utente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="215"/>
        <source>yes or no</source>
        <translation>yes o no</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="216"/>
        <source>2026-01-31, or a number of days</source>
        <translation>2026-01-31, o un numero di giorni</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="216"/>
        <source>a number</source>
        <translation>un numero</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="217"/>
        <source>text</source>
        <translation>testo</translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="270"/>
        <source>%n contact(s) match now.</source>
        <translation>
            <numerusform>%n contatto corrisponde ora.</numerusform>
            <numerusform>%n contatti corrispondono ora.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="271"/>
        <source>No contacts match: none will sync with this user&apos;s mailbox.</source>
        <translation>Nessun contatto corrisponde: nessuno verrà sincronizzato con la cassetta postale di questo utente.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="273"/>
        <source>%n appointment(s) match now.</source>
        <translation>
            <numerusform>%n appuntamento corrisponde ora.</numerusform>
            <numerusform>%n appuntamenti corrispondono ora.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="274"/>
        <source>No appointments match: none will sync with this user&apos;s mailbox.</source>
        <translation>Nessun appuntamento corrisponde: nessuno verrà sincronizzato con la cassetta postale di questo utente.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="275"/>
        <source>%n task(s) match now.</source>
        <translation>
            <numerusform>%n attività corrisponde ora.</numerusform>
            <numerusform>%n attività corrispondono ora.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/filter_editor.py" line="276"/>
        <source>No tasks match: none will sync with this user&apos;s mailbox.</source>
        <translation>Nessuna attività corrisponde: nessuna verrà sincronizzata con la cassetta postale di questo utente.</translation>
    </message>
</context>
<context>
    <name>MailboxDetail</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="35"/>
        <source>Last error</source>
        <translation>Ultimo errore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="35"/>
        <source>What to do</source>
        <translation>Cosa fare</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="36"/>
        <source>Latest errors and warnings</source>
        <translation>Ultimi errori e avvisi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="37"/>
        <source>All errors of this mailbox (Ctrl+L)</source>
        <translation>Tutti gli errori di questa cassetta postale (Ctrl+L)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="42"/>
        <source>Direction</source>
        <translation>Direzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="42"/>
        <source>Method</source>
        <translation>Metodo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="43"/>
        <source>Enabled</source>
        <translation>Attivata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="43"/>
        <source>Last run</source>
        <translation>Ultima esecuzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="44"/>
        <source>Failures in a row</source>
        <translation>Errori consecutivi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="44"/>
        <source>Next run</source>
        <translation>Prossima esecuzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="52"/>
        <source>yes</source>
        <translation>sì</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="52"/>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="59"/>
        <source>New email: {0}.</source>
        <translation>Nuova posta: {0}.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="61"/>
        <source>The last tracked email reached the CRM {0} after arriving.</source>
        <translation>L&apos;ultimo messaggio tracciato è arrivato nel CRM {0} dopo il suo arrivo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="65"/>
        <source>Microsoft Graph requests: {0} of {1} in the last {2} minutes (at {3} UTC).</source>
        <translation>Richieste Microsoft Graph: {0} su {1} negli ultimi {2} minuti (alle {3} UTC).</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="69"/>
        <source>The budget is spent: the mailbox waits until requests fall out of the window.</source>
        <translation>Il budget è esaurito: la casella attende che le richieste escano dalla finestra.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="74"/>
        <source>{0}, {1} UTC: {2}</source>
        <translation>{0}, {1} UTC: {2}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailbox_detail.py" line="78"/>
        <source>Next meetings and the attendees’ answers</source>
        <translation>Prossime riunioni e risposte dei partecipanti</translation>
    </message>
</context>
<context>
    <name>MailboxDialog</name>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="31"/>
        <source>Mailbox: {0}</source>
        <translation>Cassetta postale: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="31"/>
        <source>New mailbox</source>
        <translation>Nuova cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="44"/>
        <source>(no owner)</source>
        <translation>(nessun proprietario)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="48"/>
        <source>User: {0} &lt;{1}&gt;</source>
        <translation>Utente: {0} &lt;{1}&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="50"/>
        <source>Queue: {0} &lt;{1}&gt;</source>
        <translation>Coda: {0} &lt;{1}&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="56"/>
        <source>(no profile)</source>
        <translation>(nessun profilo)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="62"/>
        <source>only when the profile does not sign in for every mailbox</source>
        <translation>solo se il profilo non accede per tutte le cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="66"/>
        <source>unchanged (stored)</source>
        <translation>invariata (memorizzata)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="66"/>
        <source>not set</source>
        <translation>non impostata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="75"/>
        <source>This is a forward mailbox</source>
        <translation>Questa è una cassetta di inoltro</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="79"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="80"/>
        <source>Email address</source>
        <translation>Indirizzo di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="81"/>
        <source>Owner (user or queue)</source>
        <translation>Proprietario (utente o coda)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="82"/>
        <source>Email server profile</source>
        <translation>Profilo server di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="83"/>
        <source>Sign-in name</source>
        <translation>Nome di accesso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="84"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="85"/>
        <source>Incoming email</source>
        <translation>Posta in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="86"/>
        <source>Outgoing email</source>
        <translation>Posta in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="87"/>
        <source>Appointments, contacts and tasks</source>
        <translation>Appuntamenti, contatti e attività</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="95"/>
        <source>Approval</source>
        <translation>Approvazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="96"/>
        <source>Incoming status</source>
        <translation>Stato in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="97"/>
        <source>Outgoing status</source>
        <translation>Stato in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="98"/>
        <source>ACT status</source>
        <translation>Stato ACT</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="100"/>
        <source>incoming</source>
        <translation>in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="101"/>
        <source>outgoing</source>
        <translation>in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="102"/>
        <source>ACT</source>
        <translation>ACT</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="103"/>
        <source>Enabled for</source>
        <translation>Abilitata per</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="103"/>
        <source>nothing</source>
        <translation>niente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="104"/>
        <source>Last sync</source>
        <translation>Ultima sincronizzazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="104"/>
        <source>never</source>
        <translation>mai</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="108"/>
        <source>Last error</source>
        <translation>Ultimo errore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="119"/>
        <source>Has the mailbox &apos;{0}&apos; already; choosing it here moves the mapping (you are asked first)</source>
        <translation>Ha già la cassetta postale &apos;{0}&apos;; sceglierlo qui sposta l&apos;associazione (viene chiesto prima)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="184"/>
        <source>Reassign mailbox?</source>
        <translation>Riassegnare la cassetta postale?</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="185"/>
        <source>{0} is already mapped to the mailbox &apos;{1}&apos;.

Yes: break that mapping and map it to &apos;{2}&apos; instead.
No: change nothing.</source>
        <translation>{0} è già associato alla cassetta postale &apos;{1}&apos;.

Sì: annulla quell&apos;associazione e associalo invece a &apos;{2}&apos;.
No: non cambia nulla.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/mailbox_dialog.py" line="188"/>
        <source>What else follows:</source>
        <translation>Cos&apos;altro ne segue:</translation>
    </message>
</context>
<context>
    <name>MailboxTableModel</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="133"/>
        <source>{0}: {1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="148"/>
        <source>never ({0})</source>
        <translation>mai ({0})</translation>
    </message>
</context>
<context>
    <name>MailboxesPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="196"/>
        <source>New mailbox…</source>
        <translation>Nuova cassetta postale…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="203"/>
        <source>New…</source>
        <translation>Nuovo…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="204"/>
        <source>Edit…</source>
        <translation>Modifica…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="205"/>
        <source>Delete…</source>
        <translation>Elimina…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="206"/>
        <source>Approve</source>
        <translation>Approva</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="207"/>
        <source>Reject</source>
        <translation>Rifiuta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="208"/>
        <source>Test &amp;&amp; Enable</source>
        <translation>Verifica e abilita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="209"/>
        <source>Enable</source>
        <translation>Abilita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="210"/>
        <source>Disable</source>
        <translation>Disabilita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="211"/>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="447"/>
        <source>Sync now</source>
        <translation>Sincronizza ora</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="212"/>
        <source>Re-enable after outage</source>
        <translation>Riabilita dopo un guasto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="213"/>
        <source>Open errors</source>
        <translation>Apri errori</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="216"/>
        <source>Test each direction against the server; enable what passes (needs the running sync engine)</source>
        <translation>Verifica ogni direzione sul server e abilita quelle riuscite (richiede il motore di sincronizzazione in esecuzione)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="218"/>
        <source>Sync the selected mailboxes now (needs the running sync engine)</source>
        <translation>Sincronizza ora le cassette selezionate (richiede il motore di sincronizzazione in esecuzione)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="219"/>
        <source>Re-enable every direction disabled after failures (of the profile shown, when filtered by profile)</source>
        <translation>Riabilita ogni direzione disabilitata dopo errori (del profilo mostrato, se filtrato per profilo)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="225"/>
        <source>Filter by name, address, owner, profile or error (Ctrl+F)</source>
        <translation>Filtra per nome, indirizzo, proprietario, profilo o errore (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="231"/>
        <source>Click to show the mailboxes of every profile</source>
        <translation>Fai clic per mostrare le cassette postali di tutti i profili</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="236"/>
        <source>Click to show the mailboxes of every status</source>
        <translation>Fare clic per mostrare le cassette postali di ogni stato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="295"/>
        <source>{0} of {1} mailboxes</source>
        <translation>{0} di {1} cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="303"/>
        <source>Profile: {0} ✕</source>
        <translation>Profilo: {0} ✕</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="309"/>
        <source>Status: {0} ✕</source>
        <translation>Stato: {0} ✕</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="444"/>
        <source>Test &amp; Enable</source>
        <translation>Verifica e abilita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="499"/>
        <source>{0} cancelled after {1} of {2} mailboxes; the others were not started.</source>
        <translation>{0} annullato dopo {1} di {2} cassette postali; le altre non sono state avviate.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="489"/>
        <source>{0}, {1}: {2}</source>
        <translation>{0}, {1}: {2}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="487"/>
        <source>passed</source>
        <translation>riuscito</translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="430"/>
        <source>%n mailbox(es) approved.</source>
        <translation>
            <numerusform>%n cassetta postale approvata.</numerusform>
            <numerusform>%n cassette postali approvate.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="431"/>
        <source>%n mailbox(es) rejected.</source>
        <translation>
            <numerusform>%n cassetta postale rifiutata.</numerusform>
            <numerusform>%n cassette postali rifiutate.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="439"/>
        <source>%n mailbox(es) enabled.</source>
        <translation>
            <numerusform>%n cassetta postale attivata.</numerusform>
            <numerusform>%n cassette postali attivate.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="440"/>
        <source>%n mailbox(es) disabled.</source>
        <translation>
            <numerusform>%n cassetta postale disattivata.</numerusform>
            <numerusform>%n cassette postali disattivate.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="455"/>
        <source>%n mailbox(es) were re-enabled.</source>
        <translation>
            <numerusform>%n cassetta postale è stata riabilitata.</numerusform>
            <numerusform>%n cassette postali sono state riabilitate.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/mailboxes.py" line="498"/>
        <source>{0} finished for {1} mailboxes.</source>
        <translation>{0} completato per {1} cassette postali.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="201"/>
        <source>Review the mailboxes and their owners</source>
        <translation>Verifica le caselle di posta e i loro proprietari</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="202"/>
        <source>Each mailbox is mapped to the CRM user or queue the router named, found by id or email address; users and queues the CRM lacks are created. A user or queue that already has another mailbox is remapped only when you tick Remap.</source>
        <translation>Ogni casella di posta viene associata all&apos;utente o alla coda CRM indicati dal router, trovati per id o indirizzo email; gli utenti e le code che il CRM non ha vengono creati. Un utente o una coda che ha già un&apos;altra casella viene riassociato solo se selezioni Riassocia.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="222"/>
        <source>no owner</source>
        <translation>nessun proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="224"/>
        <source>, new</source>
        <translation>, nuovo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="233"/>
        <source>Remap</source>
        <translation>Riassocia</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="236"/>
        <source>Router&apos;s last error: {0}</source>
        <translation>Ultimo errore del router: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="243"/>
        <source>Without an owner ({0}); map them after the migration:</source>
        <translation>Senza proprietario ({0}); associale dopo la migrazione:</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="244"/>
        <source>Every mailbox has an owner.</source>
        <translation>Ogni casella di posta ha un proprietario.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="273"/>
        <source>Remap the mailbox?</source>
        <translation>Riassociare la casella di posta?</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="274"/>
        <source>{0}.

Yes breaks the old mapping and makes the new one; No changes nothing.</source>
        <translation>{0}.

Sì rimuove la vecchia associazione e crea la nuova; No non cambia nulla.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="35"/>
        <source>crmsync — server-side synchronization</source>
        <translation>crmsync — sincronizzazione lato server</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="68"/>
        <source>Database: {0}</source>
        <translation>Database: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="72"/>
        <source>Start the engine</source>
        <translation>Avvia il motore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="73"/>
        <source>Start the embedded sync engine again (after it stopped)</source>
        <translation>Avvia di nuovo il motore di sincronizzazione integrato (dopo che si è fermato)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="97"/>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="98"/>
        <source>&amp;Quit</source>
        <translation>&amp;Esci</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="101"/>
        <source>&amp;Help</source>
        <translation>&amp;Aiuto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="102"/>
        <source>&amp;User guide</source>
        <translation>&amp;Guida per l&apos;utente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="105"/>
        <source>&amp;About crmsync</source>
        <translation>&amp;Informazioni su crmsync</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="116"/>
        <source>&lt;p&gt;The demo&apos;s organization syncs with an Exchange sandbox in this process; nothing is kept when the console closes. These mailboxes are broken on purpose:&lt;/p&gt;</source>
        <translation>&lt;p&gt;L&apos;organizzazione della demo si sincronizza con una sandbox Exchange in questo processo; nulla viene conservato alla chiusura della console. Queste cassette postali sono guaste di proposito:&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="118"/>
        <source>About this &amp;demo</source>
        <translation>Informazioni sulla &amp;demo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="119"/>
        <source>About this demo</source>
        <translation>Informazioni sulla demo</translation>
    </message>
    <message numerus="yes">
        <location filename="../../crmsync_gui/ui/main_window.py" line="158"/>
        <source>%n alert(s) not yet acknowledged: {0}</source>
        <translation>
            <numerusform>%n avviso non ancora confermato: {0}</numerusform>
            <numerusform>%n avvisi non ancora confermati: {0}</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="205"/>
        <source>Engine: {0}</source>
        <translation>Motore: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="209"/>
        <source>{0} Press “Start the engine” to start it again.</source>
        <translation>{0} Premi “Avvia il motore” per avviarlo di nuovo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/app.py" line="118"/>
        <source> — demo (Exchange sandbox on {0})</source>
        <translation> — demo (sandbox Exchange su {0})</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/main_window.py" line="227"/>
        <source>Some connectors are not available: {0}</source>
        <translation>Alcuni connettori non sono disponibili: {0}</translation>
    </message>
</context>
<context>
    <name>MigrationPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="408"/>
        <source>Start migration…</source>
        <translation>Avvia la migrazione…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="415"/>
        <source>Migrate again…</source>
        <translation>Migra di nuovo…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="422"/>
        <source>&lt;b&gt;Needs your attention&lt;/b&gt;</source>
        <translation>&lt;b&gt;Richiede la tua attenzione&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="439"/>
        <source>&lt;h3&gt;Last migration: {0} UTC&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;Ultima migrazione: {0} UTC&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="442"/>
        <source>From {0}: {1} created, {2} updated, {3} unchanged.</source>
        <translation>Da {0}: {1} creati, {2} aggiornati, {3} invariati.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="445"/>
        <source>Nothing needs attention.</source>
        <translation>Nulla richiede attenzione.</translation>
    </message>
</context>
<context>
    <name>MigrationWizard</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="385"/>
        <source>Migrate from Email Router</source>
        <translation>Migra da Email Router</translation>
    </message>
</context>
<context>
    <name>NewOwnerDialog</name>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/new_owner_dialog.py" line="17"/>
        <source>New user</source>
        <translation>Nuovo utente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/new_owner_dialog.py" line="17"/>
        <source>New queue</source>
        <translation>Nuova coda</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/new_owner_dialog.py" line="22"/>
        <source>Full name</source>
        <translation>Nome completo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/new_owner_dialog.py" line="22"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/new_owner_dialog.py" line="23"/>
        <source>Email address</source>
        <translation>Indirizzo di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/new_owner_dialog.py" line="31"/>
        <source>a name is needed</source>
        <translation>serve un nome</translation>
    </message>
</context>
<context>
    <name>OwnerDialog</name>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="32"/>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="33"/>
        <source>Contact</source>
        <translation>Contatto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="33"/>
        <source>Lead</source>
        <translation>Lead</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="43"/>
        <source>User: {0}</source>
        <translation>Utente: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="43"/>
        <source>Queue: {0}</source>
        <translation>Coda: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="46"/>
        <source>General</source>
        <translation>Generale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="49"/>
        <source>Synchronization</source>
        <translation>Sincronizzazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="50"/>
        <source>Email</source>
        <translation>Posta elettronica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="71"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="72"/>
        <source>Email address</source>
        <translation>Indirizzo di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="74"/>
        <source>Disabled (signs in no more; its mailbox stops syncing)</source>
        <translation>Disabilitato (non accede più; la sua cassetta postale smette di sincronizzarsi)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="77"/>
        <source>{0} &lt;{1}&gt;</source>
        <translation>{0} &lt;{1}&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="78"/>
        <source>none — map one from the Mailboxes page</source>
        <translation>nessuna — associane una dalla pagina Cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="79"/>
        <source>Mailbox</source>
        <translation>Cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="85"/>
        <source>Which contacts, appointments and tasks this user&apos;s mailbox syncs. No active query for an entity means none of it syncs.</source>
        <translation>Quali contatti, appuntamenti e attività sincronizza la cassetta postale di questo utente. Nessuna query attiva per un&apos;entità significa che non se ne sincronizza nessuno.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="97"/>
        <source>Reset to org defaults</source>
        <translation>Ripristina i valori predefiniti dell&apos;organizzazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="100"/>
        <source>Dry run…</source>
        <translation>Prova senza salvare…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="102"/>
        <source>What saving these queries would create and delete in this user&apos;s Exchange mailbox; nothing is saved</source>
        <translation>Che cosa creerebbe ed eliminerebbe nella cassetta postale Exchange di questo utente il salvataggio di queste query; non viene salvato nulla</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="120"/>
        <source>Track incoming email</source>
        <translation>Registra la posta in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="122"/>
        <source>Folders under Inbox whose email is tracked (at most {0}), each optionally regarding a record:</source>
        <translation>Cartelle sotto Posta in arrivo la cui posta viene registrata (al massimo {0}), ciascuna facoltativamente relativa a un record:</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="128"/>
        <source>Folder</source>
        <translation>Cartella</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="128"/>
        <source>Regarding</source>
        <translation>Relativo a</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="128"/>
        <source>Record id</source>
        <translation>Id record</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="132"/>
        <source>Add folder</source>
        <translation>Aggiungi cartella</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="134"/>
        <source>Remove folder</source>
        <translation>Rimuovi cartella</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="144"/>
        <source>Folder tracking needs a mailbox mapped to this owner.</source>
        <translation>La registrazione per cartella richiede una cassetta postale associata a questo proprietario.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="161"/>
        <source>(nothing)</source>
        <translation>(niente)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="165"/>
        <source>(none)</source>
        <translation>(nessuno)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="195"/>
        <source>Reset sync filters?</source>
        <translation>Ripristinare i filtri di sincronizzazione?</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="196"/>
        <source>Replace this user&apos;s {0} queries with the organization&apos;s defaults?</source>
        <translation>Sostituire le query {0} di questo utente con quelle predefinite dell&apos;organizzazione?</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="215"/>
        <source>Dry run: nothing was saved</source>
        <translation>Prova: non è stato salvato nulla</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/owner_dialog.py" line="216"/>
        <source>When you save, the next sync of this user&apos;s mailbox:</source>
        <translation>Dopo il salvataggio, la prossima sincronizzazione della cassetta postale di questo utente:</translation>
    </message>
</context>
<context>
    <name>OwnerTableModel</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="50"/>
        <source>User</source>
        <translation>Utente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="50"/>
        <source>Queue</source>
        <translation>Coda</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="58"/>
        <source>Disabled</source>
        <translation>Disabilitato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="58"/>
        <source>Active</source>
        <translation>Attivo</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="42"/>
        <source>Email server profile: {0}</source>
        <translation>Profilo server di posta: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="43"/>
        <source>New email server profile</source>
        <translation>Nuovo profilo server di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="58"/>
        <source>Exchange Online blocks Exchange Web Services by default since October 2026 and turns them off in April 2027: use Microsoft Graph there.</source>
        <translation>Exchange Online blocca Exchange Web Services per impostazione predefinita da ottobre 2026 e li disattiva ad aprile 2027: lì usare Microsoft Graph.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="62"/>
        <source>Only for a national cloud (or a test server); empty: the global cloud.</source>
        <translation>Solo per un cloud nazionale (o un server di prova); vuoto: il cloud globale.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="65"/>
        <source>The Microsoft identity platform&apos;s address; empty: the global cloud&apos;s.</source>
        <translation>L&apos;indirizzo della piattaforma di identità Microsoft; vuoto: quello del cloud globale.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="68"/>
        <source>empty: sign in with the client secret (Password)</source>
        <translation>vuoto: accesso con il segreto client (Password)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="69"/>
        <source>To sign in with a certificate instead of a client secret: its thumbprint, as Entra shows it under Certificates &amp; secrets.</source>
        <translation>Per accedere con un certificato invece che con un segreto client: la sua identificazione personale, come Entra la mostra in Certificati e segreti.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="73"/>
        <source>the certificate&apos;s private key (PEM file); only its path is saved</source>
        <translation>la chiave privata del certificato (file PEM); si salva solo il suo percorso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="76"/>
        <source>tenant ID or domain (contoso.onmicrosoft.com), or a token URL</source>
        <translation>ID o dominio del tenant (contoso.onmicrosoft.com), oppure un URL per i token</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="77"/>
        <source>With OAuth, Sign in as is the app&apos;s client ID and Password its client secret.</source>
        <translation>Con OAuth, Accedi come è l&apos;ID client dell&apos;app e Password è il suo segreto client.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="81"/>
        <source>Use SSL for incoming connections</source>
        <translation>Usa SSL per le connessioni in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="83"/>
        <source>Use SSL for outgoing connections</source>
        <translation>Usa SSL per le connessioni in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="85"/>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="87"/>
        <source>Connect unencrypted, then switch to SSL (STARTTLS)</source>
        <translation>Connetti senza cifratura, poi passa a SSL (STARTTLS)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="89"/>
        <source>Leave email on the server after tracking it</source>
        <translation>Lascia la posta sul server dopo averla registrata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="90"/>
        <source>Off: each email is deleted from the POP3 server once it has been imported.</source>
        <translation>Disattivato: ogni email viene eliminata dal server POP3 appena importata.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="94"/>
        <source>only for a private certificate authority (PEM file)</source>
        <translation>solo per un&apos;autorità di certificazione privata (file PEM)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="96"/>
        <source>empty: each mailbox signs in with its own credentials</source>
        <translation>vuoto: ogni cassetta postale accede con le proprie credenziali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="99"/>
        <source>unchanged (stored)</source>
        <translation>invariata (memorizzata)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="100"/>
        <source>not set</source>
        <translation>non impostata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="103"/>
        <source>Time out slow requests</source>
        <translation>Interrompi le richieste lente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="106"/>
        <source>Only email received after</source>
        <translation>Solo posta ricevuta dopo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="113"/>
        <source>Move failed incoming email to an Undeliverable folder</source>
        <translation>Sposta la posta in arrivo non elaborata in una cartella Non recapitabile</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="115"/>
        <source>Alert the owner when more than half the mailboxes fail within an hour</source>
        <translation>Avvisa il proprietario quando più di metà delle cassette postali fallisce entro un&apos;ora</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="118"/>
        <source>(nobody)</source>
        <translation>(nessuno)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="129"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="130"/>
        <source>Server type</source>
        <translation>Tipo di server</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="131"/>
        <source>Protocol</source>
        <translation>Protocollo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="132"/>
        <source>Authentication</source>
        <translation>Autenticazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="133"/>
        <source>OAuth tenant</source>
        <translation>Tenant OAuth</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="134"/>
        <source>Microsoft Graph address</source>
        <translation>Indirizzo di Microsoft Graph</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="135"/>
        <source>Authority</source>
        <translation>Autorità</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="136"/>
        <source>Certificate thumbprint</source>
        <translation>Identificazione personale del certificato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="137"/>
        <source>Private key file</source>
        <translation>File della chiave privata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="138"/>
        <source>Incoming server location</source>
        <translation>Posizione del server in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="142"/>
        <source>Outgoing server location</source>
        <translation>Posizione del server in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="145"/>
        <source>Trusted CA file</source>
        <translation>File CA attendibile</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="146"/>
        <source>Sign in as</source>
        <translation>Accedi come</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="147"/>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="148"/>
        <source>Max concurrent connections</source>
        <translation>Numero massimo di connessioni simultanee</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="149"/>
        <source>Minimum polling interval (minutes)</source>
        <translation>Intervallo minimo di polling (minuti)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="152"/>
        <source>Timeout (milliseconds)</source>
        <translation>Timeout (millisecondi)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="153"/>
        <source>Process email from</source>
        <translation>Elabora posta dal</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="155"/>
        <source>Alerts</source>
        <translation>Avvisi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="156"/>
        <source>Owner (gets the alerts)</source>
        <translation>Proprietario (riceve gli avvisi)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="177"/>
        <source>a mailbox&apos;s email address; empty: the Sign in as account</source>
        <translation>indirizzo email di una cassetta postale; vuoto: l&apos;account di Accedi come</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="193"/>
        <source>Test with mailbox</source>
        <translation>Verifica con la cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="198"/>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="313"/>
        <source>Test connection</source>
        <translation>Verifica connessione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="199"/>
        <source>Sign in to the mail server with these settings, as typed, for each direction; nothing is saved.</source>
        <translation>Accede al server di posta con queste impostazioni, così come sono scritte, per ogni direzione; non viene salvato nulla.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="285"/>
        <source>Testing the connection…</source>
        <translation>Verifica della connessione in corso…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="288"/>
        <source>Stop test</source>
        <translation>Interrompi verifica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="309"/>
        <source>Test stopped; nothing was changed.</source>
        <translation>Verifica interrotta; non è stato modificato nulla.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="322"/>
        <source>{0}: connected and signed in.</source>
        <translation>{0}: connessione e accesso riusciti.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="324"/>
        <source>{0}: failed ({1}). {2}
What to do: {3}</source>
        <translation>{0}: non riuscito ({1}). {2}
Cosa fare: {3}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/profile_dialog.py" line="350"/>
        <source>Profile not saved</source>
        <translation>Profilo non salvato</translation>
    </message>
</context>
<context>
    <name>ProfileTableModel</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="45"/>
        <source>each mailbox&apos;s own</source>
        <translation>quelle di ogni cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="46"/>
        <source>{0} (password stored)</source>
        <translation>{0} (password memorizzata)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="47"/>
        <source>{0} (no password)</source>
        <translation>{0} (nessuna password)</translation>
    </message>
</context>
<context>
    <name>ProfilesPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="61"/>
        <source>New profile…</source>
        <translation>Nuovo profilo…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="62"/>
        <source>New…</source>
        <translation>Nuovo…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="63"/>
        <source>Edit…</source>
        <translation>Modifica…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="64"/>
        <source>Delete…</source>
        <translation>Elimina…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="65"/>
        <source>Show mailboxes</source>
        <translation>Mostra cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="75"/>
        <source>{0} of {1} profiles</source>
        <translation>{0} di {1} profili</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="164"/>
        <source>Review the email server profiles</source>
        <translation>Verifica i profili del server di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="165"/>
        <source>Each server&apos;s incoming and outgoing router profiles become one email server profile. Passwords are not carried over: profiles marked below need them.</source>
        <translation>I profili del router in entrata e in uscita di ogni server diventano un solo profilo del server di posta. Le password non vengono trasferite: i profili indicati sotto ne hanno bisogno.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="183"/>
        <source>each mailbox&apos;s own account</source>
        <translation>l&apos;account di ciascuna casella di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="184"/>
        <source>Needed</source>
        <translation>Necessaria</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="184"/>
        <source>Kept</source>
        <translation>Conservata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="188"/>
        <source>. Processes email from {0} UTC, the router&apos;s earliest last poll</source>
        <translation>. Elabora le email dal {0} UTC, il primo ultimo controllo del router</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="190"/>
        <source>Made from the router&apos;s profiles:</source>
        <translation>Creato dai profili del router:</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="192"/>
        <source>Not created:</source>
        <translation>Non creato:</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/profiles.py" line="66"/>
        <source>Cut over EWS ↔ Graph…</source>
        <translation>Passaggio EWS ↔ Graph…</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="362"/>
        <source>Migration finished</source>
        <translation>Migrazione completata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="363"/>
        <source>What was migrated, and what to do before the mailboxes can sync.</source>
        <translation>Cosa è stato migrato e cosa fare prima che le caselle di posta possano sincronizzarsi.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="368"/>
        <source>&lt;b&gt;Needs your attention&lt;/b&gt;</source>
        <translation>&lt;b&gt;Richiede la tua attenzione&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="374"/>
        <source>{0} created, {1} updated, {2} unchanged. Passwords were not carried over.</source>
        <translation>{0} creati, {1} aggiornati, {2} invariati. Le password non sono state trasferite.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="377"/>
        <source>Nothing: every migrated mailbox is ready.</source>
        <translation>Nulla: ogni casella di posta migrata è pronta.</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="40"/>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="42"/>
        <source>Close</source>
        <translation>Chiudi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="53"/>
        <source>Mailbox</source>
        <translation>Cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="53"/>
        <source>Direction</source>
        <translation>Direzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="53"/>
        <source>Result</source>
        <translation>Risultato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="58"/>
        <source>Double-click a failed row to see the mailbox&apos;s errors</source>
        <translation>Doppio clic su una riga non riuscita per vedere gli errori della cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="73"/>
        <source>{0} of {1} mailboxes</source>
        <translation>{0} di {1} cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="92"/>
        <source>{0} passed, {1} failed</source>
        <translation>{0} riusciti, {1} non riusciti</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/results_panel.py" line="106"/>
        <source>Cancelling: the mailboxes under way finish, no other starts…</source>
        <translation>Annullamento: le cassette in corso terminano, nessun&apos;altra viene avviata…</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="318"/>
        <source>Migrating</source>
        <translation>Migrazione in corso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="319"/>
        <source>Profiles, owners and mailboxes are written in one transaction.</source>
        <translation>Profili, proprietari e caselle di posta vengono scritti in un&apos;unica transazione.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="331"/>
        <source>Starting…</source>
        <translation>Avvio…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="342"/>
        <source>The migration failed and nothing was changed: {0}</source>
        <translation>La migrazione non è riuscita e non è stato modificato nulla: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="347"/>
        <source>Done: {0} created, {1} updated, {2} unchanged.</source>
        <translation>Fatto: {0} creati, {1} aggiornati, {2} invariati.</translation>
    </message>
</context>
<context>
    <name>SourcesPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="86"/>
        <source>Choose the Email Router configurations</source>
        <translation>Scegli le configurazioni di Email Router</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="87"/>
        <source>Add each router&apos;s configuration folder (it holds Microsoft.Crm.Tools.EmailAgent.xml, the SystemState file and EncryptionKey.xml), or a folder of such folders. Up to {0} routers, 32 MB in all.</source>
        <translation>Aggiungi la cartella di configurazione di ogni router (contiene Microsoft.Crm.Tools.EmailAgent.xml, il file SystemState ed EncryptionKey.xml) o una cartella che contiene tali cartelle. Fino a {0} router, 32 MB in totale.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="92"/>
        <source>Add folder…</source>
        <translation>Aggiungi cartella…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="93"/>
        <source>Add files…</source>
        <translation>Aggiungi file…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="94"/>
        <source>Remove</source>
        <translation>Rimuovi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="145"/>
        <source>Email Router configuration folder</source>
        <translation>Cartella di configurazione di Email Router</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="149"/>
        <source>Email Router files</source>
        <translation>File di Email Router</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="150"/>
        <source>Email Router files (*.xml)</source>
        <translation>File di Email Router (*.xml)</translation>
    </message>
</context>
<context>
    <name>StatusBars</name>
    <message>
        <location filename="../../crmsync_gui/ui/widgets/status_bars.py" line="37"/>
        <source>Click to see these mailboxes</source>
        <translation>Fare clic per vedere queste cassette postali</translation>
    </message>
</context>
<context>
    <name>SummaryPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="282"/>
        <source>Summary</source>
        <translation>Riepilogo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="283"/>
        <source>Nothing has changed yet. Migrate applies all of this in one transaction; running it again later changes nothing that is already in place.</source>
        <translation>Non è ancora cambiato nulla. Migra applica tutto questo in un&apos;unica transazione; rieseguirla in seguito non cambia nulla di ciò che è già presente.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="286"/>
        <source>Migrate</source>
        <translation>Migra</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="294"/>
        <source>&lt;p&gt;&lt;b&gt;{0}&lt;/b&gt; to create, &lt;b&gt;{1}&lt;/b&gt; to update, &lt;b&gt;{2}&lt;/b&gt; unchanged (profiles, mailboxes, users and queues), from {3}.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;{0}&lt;/b&gt; da creare, &lt;b&gt;{1}&lt;/b&gt; da aggiornare, &lt;b&gt;{2}&lt;/b&gt; invariati (profili, caselle di posta, utenti e code), da {3}.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="297"/>
        <source>&lt;p&gt;{0} profile(s), {1} mailbox(es); {2} without an owner.&lt;/p&gt;</source>
        <translation>&lt;p&gt;{0} profili, {1} caselle di posta; {2} senza proprietario.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="301"/>
        <source>will be remapped</source>
        <translation>verrà riassociata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="302"/>
        <source>left as it is</source>
        <translation>lasciata com&apos;è</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="305"/>
        <source>Remaps</source>
        <translation>Riassociazioni</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="305"/>
        <source>Without an owner</source>
        <translation>Senza proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="306"/>
        <source>Profiles that will need credentials</source>
        <translation>Profili che richiederanno credenziali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="307"/>
        <source>Warnings</source>
        <translation>Avvisi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/migration.py" line="308"/>
        <source>Unknown elements (ignored)</source>
        <translation>Elementi sconosciuti (ignorati)</translation>
    </message>
</context>
<context>
    <name>TrackingDecisionsView</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="100"/>
        <source>The mailbox, or its owner</source>
        <translation>La cassetta postale, o il suo proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="104"/>
        <source>Received from</source>
        <translation>Ricevute dal</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="114"/>
        <source>Subject, sender or Message-ID of the email</source>
        <translation>Oggetto, mittente o Message-ID del messaggio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="116"/>
        <source>Only emails that were not tracked</source>
        <translation>Solo i messaggi non registrati</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="146"/>
        <source>Reprocess</source>
        <translation>Rielabora</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="149"/>
        <source>Fetch the chosen email from the mail server again and track it if the current rules do</source>
        <translation>Scarica di nuovo dal server di posta il messaggio scelto e lo registra se le regole attuali lo prevedono</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="171"/>
        <source>All mailboxes</source>
        <translation>Tutte le cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="187"/>
        <source>the newest {0} decisions</source>
        <translation>le {0} decisioni più recenti</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="188"/>
        <source>{0} decisions</source>
        <translation>{0} decisioni</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="189"/>
        <source>No email matches. The engine records a decision for each incoming email it reads: an email that arrived since the mailbox&apos;s last sync has none yet (Sync now on the Mailboxes page), and one received before the profile&apos;s Process email from date is never read. Clear a filter to see more.</source>
        <translation>Nessun messaggio corrisponde. Il motore registra una decisione per ogni messaggio in arrivo che legge: un messaggio arrivato dopo l&apos;ultima sincronizzazione della cassetta postale non ne ha ancora una (Sincronizza ora nella pagina Cassette postali), e uno ricevuto prima della data Elabora posta dal del profilo non viene mai letto. Togli un filtro per vederne di più.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="237"/>
        <source>Reprocess waits: the sync of mailbox {0} failed: {1}</source>
        <translation>La rielaborazione attende: la sincronizzazione della cassetta postale {0} non è riuscita: {1}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="260"/>
        <source>Unreadable</source>
        <translation>Illeggibile</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="263"/>
        <source>Folder {0}; server id {1}; found {2}. Reprocess fetches it from the mail server again.</source>
        <translation>Cartella {0}; ID server {1}; trovato {2}. Rielabora lo scarica di nuovo dal server di posta.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="269"/>
        <source>Linked to an earlier CRM email by: {0}</source>
        <translation>Collegato a un messaggio del CRM precedente tramite: {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="270"/>
        <source>Folder {0}; Message-ID {1}; received {2}</source>
        <translation>Cartella {0}; Message-ID {1}; ricevuto {2}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/tracking.py" line="277"/>
        <source>{0} tracks: {1}. &lt;a href=&apos;{2}:{3}&apos;&gt;Change it on Users &amp;amp; queues&lt;/a&gt;</source>
        <translation>{0} registra: {1}. &lt;a href=&apos;{2}:{3}&apos;&gt;Cambialo in Utenti e code&lt;/a&gt;</translation>
    </message>
</context>
<context>
    <name>UserGuide</name>
    <message>
        <location filename="../../crmsync_gui/ui/help_window.py" line="18"/>
        <source>crmsync user guide</source>
        <translation>Guida per l&apos;utente di crmsync</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/help_window.py" line="30"/>
        <source>The user guide is not installed with this copy ({0}).</source>
        <translation>La guida per l&apos;utente non è installata con questa copia ({0}).</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="72"/>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="74"/>
        <source>New user…</source>
        <translation>Nuovo utente…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="73"/>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="75"/>
        <source>New queue…</source>
        <translation>Nuova coda…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="76"/>
        <source>Open…</source>
        <translation>Apri…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="77"/>
        <source>Delete…</source>
        <translation>Elimina…</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/users.py" line="86"/>
        <source>{0} of {1} users and queues</source>
        <translation>{0} di {1} utenti e code</translation>
    </message>
</context>
<context>
    <name>WorkerTableModel</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/workers.py" line="49"/>
        <source>running</source>
        <translation>in esecuzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/workers.py" line="49"/>
        <source>lost</source>
        <translation>perso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/pages/workers.py" line="60"/>
        <source>No heartbeat for longer than its lease ({0:g} s): the worker stopped without saying so, or cannot reach the database. Other workers take its mailboxes over.</source>
        <translation>Nessun battito per più del suo lease ({0:g} s): il worker si è fermato senza avvisare o non raggiunge il database. Gli altri worker ne rilevano le cassette postali.</translation>
    </message>
</context>
<context>
    <name>WorkersPage</name>
    <message>
        <location filename="../../crmsync_gui/ui/pages/workers.py" line="86"/>
        <source>Running: {0} · lost: {1} · jobs running: {2} · mailboxes synced in the last hour: {3}</source>
        <translation>In esecuzione: {0} · persi: {1} · job in corso: {2} · cassette postali sincronizzate nell&apos;ultima ora: {3}</translation>
    </message>
</context>
<context>
    <name>codes</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="8"/>
        <source>Exchange</source>
        <translation>Exchange</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="9"/>
        <source>POP3/SMTP</source>
        <translation>POP3/SMTP</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="10"/>
        <source>Exchange hybrid</source>
        <translation>Exchange ibrido</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="11"/>
        <source>Exchange Online hybrid</source>
        <translation>Exchange Online ibrido</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="12"/>
        <source>IMAP/SMTP</source>
        <translation>IMAP/SMTP</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="13"/>
        <source>Exchange Web Services</source>
        <translation>Exchange Web Services</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="14"/>
        <source>Microsoft Graph</source>
        <translation>Microsoft Graph</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="15"/>
        <source>Auto-detect</source>
        <translation>Rilevamento automatico</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="16"/>
        <source>Negotiate</source>
        <translation>Negotiate</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="17"/>
        <source>NTLM</source>
        <translation>NTLM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="18"/>
        <source>Basic</source>
        <translation>Basic</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="19"/>
        <source>OAuth</source>
        <translation>OAuth</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="20"/>
        <source>None</source>
        <translation>Nessuno</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="21"/>
        <source>Outlook client</source>
        <translation>Client Outlook</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="22"/>
        <source>Server-side sync</source>
        <translation>Sincronizzazione lato server</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="23"/>
        <source>Forward mailbox</source>
        <translation>Cassetta di inoltro</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="24"/>
        <source>Not run</source>
        <translation>Non eseguito</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="25"/>
        <source>Success</source>
        <translation>Riuscito</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="26"/>
        <source>Failure</source>
        <translation>Non riuscito</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="27"/>
        <source>Push connected</source>
        <translation>Push connesso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="28"/>
        <source>Push on some folders, the rest polled: connection cap reached</source>
        <translation>Push su alcune cartelle, le altre interrogate: limite di connessioni raggiunto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="29"/>
        <source>Delta polling (under a minute)</source>
        <translation>Interrogazione delta (meno di un minuto)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="30"/>
        <source>Polling: connection cap reached</source>
        <translation>Interrogazione: limite di connessioni raggiunto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="31"/>
        <source>Polling: server refused push</source>
        <translation>Interrogazione: il server ha rifiutato il push</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="32"/>
        <source>Polling: protocol lacks push</source>
        <translation>Interrogazione: il protocollo non ha il push</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="33"/>
        <source>Empty</source>
        <translation>Vuoto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="34"/>
        <source>Approved</source>
        <translation>Approvato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="35"/>
        <source>Pending approval</source>
        <translation>In attesa di approvazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="36"/>
        <source>Rejected</source>
        <translation>Rifiutato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="37"/>
        <source>All email messages</source>
        <translation>Tutti i messaggi di posta elettronica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="38"/>
        <source>Replies to CRM email</source>
        <translation>Risposte a messaggi del CRM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="39"/>
        <source>From CRM leads, contacts and accounts</source>
        <translation>Da lead, contatti e account del CRM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="40"/>
        <source>From records that are email-enabled</source>
        <translation>Da record abilitati alla posta elettronica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="41"/>
        <source>Draft</source>
        <translation>Bozza</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="42"/>
        <source>Sent</source>
        <translation>Inviato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="43"/>
        <source>Received</source>
        <translation>Ricevuto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="44"/>
        <source>Pending Send</source>
        <translation>In attesa di invio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="45"/>
        <source>Sending</source>
        <translation>Invio in corso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="46"/>
        <source>Failed</source>
        <translation>Non riuscito</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="47"/>
        <source>Tracked</source>
        <translation>Registrato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="48"/>
        <source>Tracking option is None</source>
        <translation>L&apos;opzione di registrazione è Nessuno</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="49"/>
        <source>Not a reply to CRM email</source>
        <translation>Non è una risposta a un messaggio del CRM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="50"/>
        <source>Sender is not a CRM lead, contact or account</source>
        <translation>Il mittente non è un lead, contatto o account del CRM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="51"/>
        <source>Sender is not an email-enabled record</source>
        <translation>Il mittente non è un record abilitato alla posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="52"/>
        <source>Received before the Process email from date</source>
        <translation>Ricevuto prima della data «Elabora posta dal»</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="53"/>
        <source>Already tracked</source>
        <translation>Già registrato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="54"/>
        <source>Mailbox has no user or queue</source>
        <translation>La cassetta postale non ha utente né coda</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="55"/>
        <source>To Exchange</source>
        <translation>Verso Exchange</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="56"/>
        <source>To CRM</source>
        <translation>Verso il CRM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="57"/>
        <source>Both</source>
        <translation>Entrambi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="58"/>
        <source>Information</source>
        <translation>Informazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="59"/>
        <source>Warning</source>
        <translation>Avviso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="60"/>
        <source>Error</source>
        <translation>Errore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="61"/>
        <source>Incoming email</source>
        <translation>Posta in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="62"/>
        <source>Outgoing email</source>
        <translation>Posta in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="63"/>
        <source>Appointments, contacts and tasks</source>
        <translation>Appuntamenti, contatti e attività</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="64"/>
        <source>Email</source>
        <translation>Posta elettronica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="65"/>
        <source>Appointment</source>
        <translation>Appuntamento</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="66"/>
        <source>Task</source>
        <translation>Attività</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="67"/>
        <source>From</source>
        <translation>Da</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="68"/>
        <source>To</source>
        <translation>A</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="69"/>
        <source>Cc</source>
        <translation>Cc</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="70"/>
        <source>Bcc</source>
        <translation>Ccn</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="71"/>
        <source>Organizer</source>
        <translation>Organizzatore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="72"/>
        <source>Required attendee</source>
        <translation>Partecipante obbligatorio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="73"/>
        <source>Optional attendee</source>
        <translation>Partecipante facoltativo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="74"/>
        <source>Owner</source>
        <translation>Proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="75"/>
        <source>No response</source>
        <translation>Nessuna risposta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="76"/>
        <source>Accepted</source>
        <translation>Accettato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="77"/>
        <source>Tentative</source>
        <translation>Provvisorio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="78"/>
        <source>Declined</source>
        <translation>Rifiutato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="79"/>
        <source>Contacts</source>
        <translation>Contatti</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="80"/>
        <source>Appointments</source>
        <translation>Appuntamenti</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="81"/>
        <source>Tasks</source>
        <translation>Attività</translation>
    </message>
</context>
<context>
    <name>columns</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="102"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="103"/>
        <source>Address</source>
        <translation>Indirizzo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="104"/>
        <source>Owner</source>
        <translation>Proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="105"/>
        <source>Profile</source>
        <translation>Profilo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="106"/>
        <source>Incoming</source>
        <translation>In arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="107"/>
        <source>Outgoing</source>
        <translation>In uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="108"/>
        <source>ACT</source>
        <translation>ACT</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="109"/>
        <source>Incoming status</source>
        <translation>Stato in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="110"/>
        <source>Outgoing status</source>
        <translation>Stato in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="111"/>
        <source>ACT status</source>
        <translation>Stato ACT</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="112"/>
        <source>Approval</source>
        <translation>Approvazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="113"/>
        <source>Last sync</source>
        <translation>Ultima sincronizzazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="114"/>
        <source>Next sync</source>
        <translation>Prossima esecuzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="115"/>
        <source>Last error</source>
        <translation>Ultimo errore</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="116"/>
        <source>Status</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="117"/>
        <source>New email</source>
        <translation>Nuova posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="118"/>
        <source>Arrival to CRM</source>
        <translation>Arrivo → CRM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="119"/>
        <source>Server type</source>
        <translation>Tipo di server</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="120"/>
        <source>Authentication</source>
        <translation>Autenticazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="121"/>
        <source>Incoming server</source>
        <translation>Server in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="122"/>
        <source>Outgoing server</source>
        <translation>Server in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="123"/>
        <source>Max connections</source>
        <translation>Connessioni max</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="124"/>
        <source>Mailboxes</source>
        <translation>Cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="125"/>
        <source>Credentials</source>
        <translation>Credenziali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="126"/>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="127"/>
        <source>Email address</source>
        <translation>Indirizzo di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="128"/>
        <source>Mailbox</source>
        <translation>Cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="129"/>
        <source>Track incoming email</source>
        <translation>Registra la posta in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="130"/>
        <source>State</source>
        <translation>Stato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="131"/>
        <source>Raised</source>
        <translation>Generato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="132"/>
        <source>Level</source>
        <translation>Livello</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="133"/>
        <source>Message</source>
        <translation>Messaggio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="134"/>
        <source>Acknowledged</source>
        <translation>Confermato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="135"/>
        <source>Decided</source>
        <translation>Deciso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="136"/>
        <source>Sender</source>
        <translation>Mittente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="137"/>
        <source>Subject</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="138"/>
        <source>Outcome</source>
        <translation>Esito</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="139"/>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="140"/>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="141"/>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="142"/>
        <source>Process</source>
        <translation>Processo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="143"/>
        <source>Jobs running</source>
        <translation>Job in corso</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="144"/>
        <source>Mailboxes synced (1 h)</source>
        <translation>Cassette sincronizzate (1 h)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="145"/>
        <source>Last heartbeat</source>
        <translation>Ultimo battito</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="146"/>
        <source>Started</source>
        <translation>Avviato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="147"/>
        <source>Version</source>
        <translation>Versione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="148"/>
        <source>Last seen</source>
        <translation>Ultima volta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="149"/>
        <source>Code</source>
        <translation>Codice</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="150"/>
        <source>Count</source>
        <translation>Conteggio</translation>
    </message>
</context>
<context>
    <name>depths</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="180"/>
        <source>emails pending send</source>
        <translation>messaggi in attesa di invio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="181"/>
        <source>incoming due</source>
        <translation>in arrivo da eseguire</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="182"/>
        <source>outgoing due</source>
        <translation>in uscita da eseguire</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="183"/>
        <source>ACT due</source>
        <translation>ACT da eseguire</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="98"/>
        <source>due now</source>
        <translation>ora</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="102"/>
        <source>in {0}</source>
        <translation>tra {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="110"/>
        <source>{0} s</source>
        <translation>{0} s</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="112"/>
        <source>{0} min</source>
        <translation>{0} min</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="113"/>
        <source>{0} h</source>
        <translation>{0} h</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="122"/>
        <source>{0} s ago</source>
        <translation>{0} s fa</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="124"/>
        <source>{0} min ago</source>
        <translation>{0} min fa</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/labels.py" line="125"/>
        <source>{0} h ago</source>
        <translation>{0} h fa</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="213"/>
        <source>{failing} of {in_service} mailboxes of profile &apos;{profile}&apos; failed within the last hour. Check the mail server and the trace log for this profile.</source>
        <translation>{failing} cassette postali su {in_service} del profilo &apos;{profile}&apos; non sono riuscite a sincronizzarsi nell&apos;ultima ora. Controllare il server di posta e il registro eventi di questo profilo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="214"/>
        <source>{failing} mailboxes of profile &apos;{profile}&apos; failed at once (last: {last}); the profile is paused and the server probed until it answers.</source>
        <translation>{failing} cassette postali del profilo &apos;{profile}&apos; non sono riuscite a sincronizzarsi contemporaneamente (ultimo errore: {last}); il profilo è in pausa e il server viene interrogato finché non risponde.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="215"/>
        <source>The alert was not emailed: the profile has no owner whose mailbox has outgoing email enabled.</source>
        <translation>L&apos;avviso non è stato inviato via email: il profilo non ha un proprietario la cui cassetta postale abbia la posta in uscita abilitata.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="216"/>
        <source>Failed {failures} times in a row ({direction}); the last time: {error}</source>
        <translation>Non riuscita {failures} volte di seguito ({direction}); l&apos;ultima volta: {error}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="217"/>
        <source>Test of {direction} for mailbox &apos;{mailbox}&apos; passed; it is enabled.</source>
        <translation>Verifica di {direction} per la cassetta postale &apos;{mailbox}&apos; riuscita; è attivata.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="218"/>
        <source>Test of {direction} for mailbox &apos;{mailbox}&apos; failed: {error}</source>
        <translation>Verifica di {direction} per la cassetta postale &apos;{mailbox}&apos; non riuscita: {error}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="219"/>
        <source>An administrator asked to sync mailbox &apos;{mailbox}&apos; now.</source>
        <translation>Un amministratore ha chiesto di sincronizzare ora la cassetta postale &apos;{mailbox}&apos;.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="220"/>
        <source>The profile&apos;s mail server answers again; {failing} failing mailboxes resume now.</source>
        <translation>Il server di posta del profilo risponde di nuovo; {failing} cassette postali con errori riprendono ora.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="221"/>
        <source>{who} asked to reprocess the email &apos;{subject}&apos; of mailbox &apos;{mailbox}&apos;.</source>
        <translation>{who} ha chiesto di rielaborare il messaggio &apos;{subject}&apos; della cassetta postale &apos;{mailbox}&apos;.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="222"/>
        <source>Reprocess asked: mailbox &apos;{mailbox}&apos; fetches the email again at its next incoming sync and tracks it if the current rules do.</source>
        <translation>Rielaborazione richiesta: la cassetta postale &apos;{mailbox}&apos; scarica di nuovo il messaggio alla prossima sincronizzazione della posta in arrivo e lo registra se le regole attuali lo prevedono.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="223"/>
        <source>Reprocess asked, but mailbox &apos;{mailbox}&apos; does not sync incoming email now ({why}); the email is fetched again once it does.</source>
        <translation>Rielaborazione richiesta, ma ora la cassetta postale &apos;{mailbox}&apos; non sincronizza la posta in arrivo ({why}); il messaggio viene scaricato di nuovo appena lo fa.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="224"/>
        <source>The email &apos;{subject}&apos; is already tracked as CRM email #{activity}: there is nothing to reprocess.</source>
        <translation>Il messaggio &apos;{subject}&apos; è già registrato come email CRM n. {activity}: non c&apos;è nulla da rielaborare.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="225"/>
        <source>Mailbox &apos;{mailbox}&apos; has no email with the server id {server_id}; `crmsync mailboxes decisions` lists them.</source>
        <translation>La cassetta postale &apos;{mailbox}&apos; non ha alcun messaggio con l&apos;ID server {server_id}; `crmsync mailboxes decisions` li elenca.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="226"/>
        <source>{who} reprocessed the email &apos;{subject}&apos; of mailbox &apos;{mailbox}&apos;: {outcome}</source>
        <translation>{who} ha rielaborato il messaggio &apos;{subject}&apos; della cassetta postale &apos;{mailbox}&apos;: {outcome}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="227"/>
        <source>{who} reprocessed the email &apos;{subject}&apos; of mailbox &apos;{mailbox}&apos;: it is no longer in {folder} on the mail server (moved or deleted); nothing changed.</source>
        <translation>{who} ha rielaborato il messaggio &apos;{subject}&apos; della cassetta postale &apos;{mailbox}&apos;: non è più in {folder} sul server di posta (spostato o eliminato); non è cambiato nulla.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="228"/>
        <source>{who} reprocessed the email &apos;{subject}&apos; of mailbox &apos;{mailbox}&apos;: it still cannot be read: {reason}</source>
        <translation>{who} ha rielaborato il messaggio &apos;{subject}&apos; della cassetta postale &apos;{mailbox}&apos;: non si riesce ancora a leggerlo: {reason}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="229"/>
        <source>a profile needs a name</source>
        <translation>un profilo ha bisogno di un nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="230"/>
        <source>give the server location (an EWS URL or a host name)</source>
        <translation>indicare la posizione del server (un URL EWS o un nome host)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="231"/>
        <source>&apos;{given}&apos; is not an EWS URL; use the form https://mail.example.com/EWS/Exchange.asmx</source>
        <translation>&apos;{given}&apos; non è un URL EWS; usare la forma https://mail.example.com/EWS/Exchange.asmx</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="232"/>
        <source>the URL starts with http:// but SSL is on; use https:// or turn SSL off</source>
        <translation>l&apos;URL inizia con http:// ma SSL è attivo; usare https:// o disattivare SSL</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="233"/>
        <source>&apos;{given}&apos; is not a host name with an optional :port</source>
        <translation>&apos;{given}&apos; non è un nome host con una :porta facoltativa</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="234"/>
        <source>POP3 and IMAP profiles need an SMTP server for outgoing email</source>
        <translation>i profili POP3 e IMAP hanno bisogno di un server SMTP per la posta in uscita</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="235"/>
        <source>POP3 has no folders to move email into; turn this off (failed email stays on the server, listed with the mailbox&apos;s unreadable emails)</source>
        <translation>POP3 non ha cartelle in cui spostare la posta; disattivare l&apos;opzione (la posta non elaborata resta sul server, elencata tra i messaggi illeggibili della cassetta postale)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="236"/>
        <source>port {port} is the {what} SSL port: turn Use SSL on and STARTTLS off, or use port {plain}</source>
        <translation>la porta {port} è la porta SSL di {what}: attivare Usa SSL e disattivare STARTTLS, o usare la porta {plain}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="237"/>
        <source>port {port} takes a plain connection: turn STARTTLS on to encrypt it, or use port {ssl_port} for SSL</source>
        <translation>la porta {port} accetta una connessione non cifrata: attivare STARTTLS per cifrarla, o usare la porta {ssl_port} per SSL</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="238"/>
        <source>{first} or {second}</source>
        <translation>{first} o {second}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="239"/>
        <source>OAuth signs in to Exchange only; POP3 and IMAP profiles use a password</source>
        <translation>OAuth accede solo a Exchange; i profili POP3 e IMAP usano una password</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="240"/>
        <source>give the tenant ID or domain (e.g. contoso.onmicrosoft.com), or the token URL of another identity provider</source>
        <translation>indicare l&apos;ID o il dominio del tenant (ad es. contoso.onmicrosoft.com), o l&apos;URL del token di un altro provider di identità</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="241"/>
        <source>the token URL &apos;{given}&apos; must start with https://</source>
        <translation>l&apos;URL del token &apos;{given}&apos; deve iniziare con https://</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="242"/>
        <source>&apos;{given}&apos; is not a tenant ID or domain</source>
        <translation>&apos;{given}&apos; non è un ID o un dominio di tenant</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="243"/>
        <source>with OAuth, the user name is the application (client) ID of the app</source>
        <translation>con OAuth, il nome utente è l&apos;ID applicazione (client) dell&apos;app</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="244"/>
        <source>Microsoft Graph serves Exchange profiles only; POP3 and IMAP profiles have no protocol</source>
        <translation>Microsoft Graph serve solo i profili Exchange; i profili POP3 e IMAP non hanno un protocollo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="245"/>
        <source>Microsoft Graph signs in as an app: choose OAuth</source>
        <translation>Microsoft Graph accede come app: scegliere OAuth</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="246"/>
        <source>with Microsoft Graph, give the tenant ID or domain; the identity platform&apos;s address goes in Authority</source>
        <translation>con Microsoft Graph, indicare l&apos;ID o il dominio del tenant; l&apos;indirizzo della piattaforma di identità va in Autorità</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="247"/>
        <source>{what} &apos;{given}&apos; must be an https:// URL</source>
        <translation>{what} &apos;{given}&apos; deve essere un URL https://</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="248"/>
        <source>the Graph address</source>
        <translation>l&apos;indirizzo di Graph</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="249"/>
        <source>the authority</source>
        <translation>l&apos;autorità</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="250"/>
        <source>the certificate thumbprint is the 40 hexadecimal digits of its SHA-1 fingerprint (Entra shows it under Certificates &amp; secrets)</source>
        <translation>l&apos;identificazione personale del certificato sono le 40 cifre esadecimali della sua impronta SHA-1 (Entra la mostra in Certificati e segreti)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="251"/>
        <source>a certificate sign-in needs both the certificate&apos;s thumbprint and the path of its private key file</source>
        <translation>un accesso con certificato ha bisogno sia dell&apos;identificazione personale del certificato sia del percorso del file della sua chiave privata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="252"/>
        <source>{what} must be a whole number, not {given}</source>
        <translation>{what} deve essere un numero intero, non {given}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="253"/>
        <source>{what} must be between {low} and {high}; {value} is out of range</source>
        <translation>{what} deve essere tra {low} e {high}; {value} è fuori intervallo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="254"/>
        <source>the number of parallel connections to the mail server</source>
        <translation>il numero di connessioni parallele al server di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="255"/>
        <source>the minimum polling interval, in minutes</source>
        <translation>l&apos;intervallo minimo di polling, in minuti</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="256"/>
        <source>the request timeout, in milliseconds</source>
        <translation>il timeout delle richieste, in millisecondi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="257"/>
        <source>a mailbox needs a name</source>
        <translation>una cassetta postale ha bisogno di un nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="258"/>
        <source>a new mailbox needs a name and an address</source>
        <translation>una nuova cassetta postale ha bisogno di un nome e di un indirizzo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="259"/>
        <source>&apos;{given}&apos; is not an email address</source>
        <translation>&apos;{given}&apos; non è un indirizzo di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="260"/>
        <source>a user with the address {given} already exists</source>
        <translation>esiste già un utente con l&apos;indirizzo {given}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="261"/>
        <source>a queue with the address {given} already exists</source>
        <translation>esiste già una coda con l&apos;indirizzo {given}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="262"/>
        <source>a name is needed</source>
        <translation>serve un nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="263"/>
        <source>another user has the address {given}</source>
        <translation>un altro utente ha l&apos;indirizzo {given}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="264"/>
        <source>another queue has the address {given}</source>
        <translation>un&apos;altra coda ha l&apos;indirizzo {given}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="265"/>
        <source>a profile named &apos;{given}&apos; already exists</source>
        <translation>esiste già un profilo di nome &apos;{given}&apos;</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="266"/>
        <source>at most {most} folders can be tracked; {given} were given: remove {extra}</source>
        <translation>si possono registrare al massimo {most} cartelle; ne sono state indicate {given}: toglierne {extra}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="267"/>
        <source>rule {n} needs a folder under Inbox</source>
        <translation>la regola {n} ha bisogno di una cartella sotto Posta in arrivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="268"/>
        <source>the folder &apos;{given}&apos; is listed twice</source>
        <translation>la cartella &apos;{given}&apos; è elencata due volte</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="269"/>
        <source>rule {n}: regarding is an account, contact or lead, not {given}</source>
        <translation>regola {n}: il riferimento è un account, un contatto o un lead, non {given}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="270"/>
        <source>rule {n}: give both the regarding record&apos;s type and id, or neither</source>
        <translation>regola {n}: indicare sia il tipo sia l&apos;ID del record di riferimento, o nessuno dei due</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="271"/>
        <source>rule {n}: there is no {kind} with id {given}</source>
        <translation>regola {n}: non esiste un {kind} con ID {given}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="272"/>
        <source>filter {n} needs a name</source>
        <translation>il filtro {n} ha bisogno di un nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="273"/>
        <source>The engine is starting.</source>
        <translation>Il motore si sta avviando.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="274"/>
        <source>The engine is running.</source>
        <translation>Il motore è in funzione.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="275"/>
        <source>The engine is stopping.</source>
        <translation>Il motore si sta fermando.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="276"/>
        <source>The engine stopped.</source>
        <translation>Il motore si è fermato.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="277"/>
        <source>{mailbox}: started ({direction}).</source>
        <translation>{mailbox}: avviata ({direction}).</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="278"/>
        <source>{mailbox}: done in {seconds} s, items synced: {items} ({direction}).</source>
        <translation>{mailbox}: completata in {seconds} s, elementi sincronizzati: {items} ({direction}).</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="279"/>
        <source>{mailbox}: failed, will be retried ({direction}, {code}): {error}</source>
        <translation>{mailbox}: non riuscita, verrà ritentata ({direction}, {code}): {error}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="280"/>
        <source>{mailbox}: failed ({direction}, {code}): {error}</source>
        <translation>{mailbox}: non riuscita ({direction}, {code}): {error}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="283"/>
        <source>{mailbox}: disabled ({direction}, {code}): {reason}</source>
        <translation>{mailbox}: disattivata ({direction}, {code}): {reason}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="281"/>
        <source>{mailbox}: an email was tracked.</source>
        <translation>{mailbox}: un&apos;email è stata registrata.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="282"/>
        <source>An email is waiting to be sent.</source>
        <translation>Un&apos;email è in attesa di invio.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="284"/>
        <source>Profile paused: {reason}</source>
        <translation>Profilo sospeso: {reason}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="285"/>
        <source>Profile {profile} answers again and resumed.</source>
        <translation>Il server del profilo {profile} risponde di nuovo: sincronizzazione ripresa.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="286"/>
        <source>Alert: {alert}</source>
        <translation>Avviso: {alert}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="287"/>
        <source>{mailbox}: the server announced new email.</source>
        <translation>{mailbox}: il server ha segnalato nuova posta.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="288"/>
        <source>{mailbox}: {used} of {limit} requests to Microsoft Graph in {minutes} min.</source>
        <translation>{mailbox}: {used} richieste a Microsoft Graph su {limit} in {minutes} min.</translation>
    </message>
</context>
<context>
    <name>pages</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="82"/>
        <source>Dashboard</source>
        <translation>Pannello</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="83"/>
        <source>Live sync status appears here once mailboxes are enabled: mailboxes by status, what is waiting, items synced and errors per hour.</source>
        <translation>Lo stato della sincronizzazione in tempo reale appare qui quando le cassette postali sono attivate: cassette postali per stato, ciò che è in attesa, elementi sincronizzati ed errori per ora.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="84"/>
        <source>Mailboxes</source>
        <translation>Cassette postali</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="85"/>
        <source>No mailboxes yet. Add one for each user or queue whose email the CRM should track, map it to its owner, approve its address, then run Test &amp; Enable.</source>
        <translation>Ancora nessuna cassetta postale. Aggiungine una per ogni utente o coda di cui il CRM deve registrare la posta, associala al proprietario, approva l&apos;indirizzo, poi esegui Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="86"/>
        <source>Email server profiles</source>
        <translation>Profili server di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="87"/>
        <source>No email server profiles yet. A profile says how to reach a mail server (Exchange, POP3/SMTP or IMAP/SMTP) and how hard to use it.</source>
        <translation>Ancora nessun profilo server di posta. Un profilo dice come raggiungere un server di posta (Exchange, POP3/SMTP o IMAP/SMTP) e con quale carico usarlo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="88"/>
        <source>Filter by name or server (Ctrl+F)</source>
        <translation>Filtra per nome o server (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="89"/>
        <source>Users &amp; queues</source>
        <translation>Utenti e code</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="90"/>
        <source>No CRM users or queues yet. Each user or queue maps to one mailbox; its sync filters and tracking options are set here.</source>
        <translation>Ancora nessun utente o coda del CRM. Ogni utente o coda corrisponde a una cassetta postale; qui si impostano i filtri di sincronizzazione e le opzioni di registrazione.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="91"/>
        <source>Filter by name or address (Ctrl+F)</source>
        <translation>Filtra per nome o indirizzo (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="92"/>
        <source>Errors</source>
        <translation>Errori</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="93"/>
        <source>No errors recorded. Errors per email and per mailbox appear here, repeats collated into one row.</source>
        <translation>Nessun errore registrato. Gli errori per messaggio e per cassetta postale appaiono qui, le ripetizioni raccolte in una riga.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="94"/>
        <source>Alerts</source>
        <translation>Avvisi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="95"/>
        <source>No alerts. An alert is raised when many mailboxes of one profile fail within an hour.</source>
        <translation>Nessun avviso. Un avviso viene generato quando molte cassette postali di un profilo falliscono entro un&apos;ora.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="96"/>
        <source>Filter by message (Ctrl+F)</source>
        <translation>Filtra per messaggio (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="97"/>
        <source>Migration</source>
        <translation>Migrazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="98"/>
        <source>Bring an Email Router configuration over: profiles, mailboxes and their owners, reviewed before anything changes.</source>
        <translation>Importa una configurazione di Email Router: profili, cassette postali e proprietari, da rivedere prima di ogni modifica.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="99"/>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="100"/>
        <source>No sync engine runs on this database. Each one shows here with its load: the console&apos;s own engine, and every `crmsync engine run`.</source>
        <translation>Nessun motore di sincronizzazione è in esecuzione su questo database. Ognuno compare qui con il suo carico: il motore della console e ogni `crmsync engine run`.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="101"/>
        <source>Filter by host or worker (Ctrl+F)</source>
        <translation>Filtra per host o worker (Ctrl+F)</translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../../crmsync_gui/ui/help_window.py" line="34"/>
        <source>About crmsync</source>
        <translation>Informazioni su crmsync</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/help_window.py" line="35"/>
        <source>&lt;h3&gt;crmsync {0}&lt;/h3&gt;&lt;p&gt;Server-side synchronization between a CRM and mail servers: the administration console.&lt;/p&gt;&lt;p&gt;Qt {1} (LGPLv3) through PySide6. Icons: Tabler Icons 3.51.0 by Paweł Kuna, MIT licence (resources/icons/tabler/LICENSE).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;crmsync {0}&lt;/h3&gt;&lt;p&gt;Sincronizzazione lato server tra un CRM e i server di posta: la console di amministrazione.&lt;/p&gt;&lt;p&gt;Qt {1} (LGPLv3) tramite PySide6. Icone: Tabler Icons 3.51.0 di Paweł Kuna, licenza MIT (resources/icons/tabler/LICENSE).&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>remedies</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="289"/>
        <source>Check the user name and password of the profile or mailbox (and the authentication type), then run Test &amp; Enable.</source>
        <translation>Controllare nome utente e password del profilo o della cassetta postale (e il tipo di autenticazione), poi eseguire Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="290"/>
        <source>Check the mailbox&apos;s email address on the mail server, then run Test &amp; Enable.</source>
        <translation>Controllare l&apos;indirizzo email della cassetta postale sul server di posta, poi eseguire Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="291"/>
        <source>Give the profile&apos;s account access (impersonation) to this mailbox, then run Test &amp; Enable.</source>
        <translation>Concedere all&apos;account del profilo l&apos;accesso (rappresentazione) a questa cassetta postale, poi eseguire Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="292"/>
        <source>Correct the email server profile (server location, SSL, port), then run Test &amp; Enable.</source>
        <translation>Correggere il profilo del server di posta (indirizzo del server, SSL, porta), poi eseguire Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="293"/>
        <source>Install a valid certificate on the mail server, or set the profile&apos;s trusted CA file to the private CA that issued it.</source>
        <translation>Installare un certificato valido sul server di posta, oppure indicare nel file CA attendibile del profilo la CA privata che lo ha emesso.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="294"/>
        <source>Choose a server type this installation supports for the profile.</source>
        <translation>Scegliere per il profilo un tipo di server supportato da questa installazione.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="295"/>
        <source>Nothing to do if it passes; otherwise check that the mail server is running and reachable from this computer.</source>
        <translation>Nulla da fare se passa; altrimenti controllare che il server di posta sia attivo e raggiungibile da questo computer.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="296"/>
        <source>Nothing to do if it passes; otherwise check the network and any proxy or load balancer between this computer and the mail server.</source>
        <translation>Nulla da fare se passa; altrimenti controllare la rete ed eventuali proxy o bilanciatori di carico tra questo computer e il server di posta.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="297"/>
        <source>Nothing to do if it passes; otherwise raise the profile&apos;s request timeout or check the mail server&apos;s load.</source>
        <translation>Nulla da fare se passa; altrimenti aumentare il timeout delle richieste del profilo o controllare il carico del server di posta.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="298"/>
        <source>The mail server asked for a pause; the engine waits as asked. Lower the profile&apos;s maximum connections if it persists.</source>
        <translation>Il server di posta ha chiesto una pausa; il motore attende come richiesto. Se persiste, ridurre il numero massimo di connessioni del profilo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="299"/>
        <source>The mail server reported an internal error; check its health if it persists.</source>
        <translation>Il server di posta ha segnalato un errore interno; se persiste, controllarne lo stato.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="300"/>
        <source>The mailbox&apos;s store on the mail server is offline; check the server.</source>
        <translation>L&apos;archivio della cassetta postale sul server di posta non è in linea; controllare il server.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="301"/>
        <source>Choose the mailbox&apos;s owner (a CRM user) on the Mailboxes page, or set its appointments, contacts and tasks option to None.</source>
        <translation>Scegliere il proprietario della cassetta postale (un utente del CRM) nella pagina Cassette postali, oppure impostarne l&apos;opzione appuntamenti, contatti e attività su Nessuno.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="302"/>
        <source>The sync took longer than its deadline and was stopped; it resumes next cycle. Check the mail server&apos;s speed or the mailbox&apos;s size.</source>
        <translation>La sincronizzazione ha superato il tempo massimo ed è stata interrotta; riprende al ciclo successivo. Controllare la velocità del server di posta o la dimensione della cassetta postale.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="303"/>
        <source>The direction failed 10 times in a row and was disabled. Fix the cause shown before, then re-enable or run Test &amp; Enable.</source>
        <translation>La direzione non è riuscita 10 volte di seguito ed è stata disabilitata. Risolvere la causa indicata prima, poi riabilitarla o eseguire Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="304"/>
        <source>Fix the cause shown, then re-enable the mailbox or run Test &amp; Enable.</source>
        <translation>Risolvere la causa indicata, poi riabilitare la cassetta postale o eseguire Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="305"/>
        <source>An unexpected error in crmsync; the engine carried on. Report it with the engine&apos;s log; the mailbox retries next cycle.</source>
        <translation>Un errore imprevisto in crmsync; il motore ha proseguito. Segnalarlo allegando il log del motore; la cassetta postale riprova al ciclo successivo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="306"/>
        <source>Most mailboxes of the profile fail at once (a server outage); the engine probes the server and resumes by itself. Check the mail server.</source>
        <translation>La maggior parte delle cassette postali del profilo non riesce nello stesso momento (un&apos;interruzione del server); il motore sonda il server e riprende da solo. Controllare il server di posta.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="307"/>
        <source>No action needed.</source>
        <translation>Nessuna azione necessaria.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="308"/>
        <source>Another engine stopped while syncing this mailbox; this one took over. Check that engine&apos;s host if it happens often.</source>
        <translation>Un altro motore si è fermato mentre sincronizzava questa cassetta postale; questo ha preso il suo posto. Se accade spesso, controllare l&apos;host di quel motore.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="309"/>
        <source>Fix the cause shown, then run Test &amp; Enable again.</source>
        <translation>Risolvere la causa indicata, poi eseguire di nuovo Verifica e abilita.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="310"/>
        <source>The email was not tracked. Save it from this row (or `crmsync mailboxes unreadable MAILBOX --save DIR`) to look at it; ask the sender to send it again if it matters.</source>
        <translation>Il messaggio non è stato tracciato. Salvarlo da questa riga (o con `crmsync mailboxes unreadable MAILBOX --save DIR`) per esaminarlo; se è importante, chiedere al mittente di inviarlo di nuovo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="311"/>
        <source>No action needed: the mailbox&apos;s next incoming sync (or Sync now) fetches the email again and decides it under the current rules.</source>
        <translation>Nessuna azione necessaria: la prossima sincronizzazione della posta in arrivo (o Sincronizza ora) scarica di nuovo il messaggio e lo valuta secondo le regole attuali.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="312"/>
        <source>No action needed. If it is still not tracked, the reason says what would track it; change that, then reprocess it again.</source>
        <translation>Nessuna azione necessaria. Se non è ancora registrato, il motivo dice che cosa lo farebbe registrare: modificarlo, poi rielaborare di nuovo il messaggio.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="313"/>
        <source>No action needed. An email moved back into a tracked folder is read there as new email.</source>
        <translation>Nessuna azione necessaria. Un messaggio riportato in una cartella tracciata vi viene letto come nuovo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="314"/>
        <source>The email was not tracked. Save it from its EmailUnreadable row to look at it; ask the sender to send it again if it matters.</source>
        <translation>Il messaggio non è stato tracciato. Salvarlo dalla sua riga EmailUnreadable per esaminarlo; se è importante, chiedere al mittente di inviarlo di nuovo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="315"/>
        <source>Open the alert and check the profile&apos;s mail server.</source>
        <translation>Aprire l&apos;avviso e controllare il server di posta del profilo.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="316"/>
        <source>Give the profile an owner whose mailbox has outgoing email enabled to receive alerts by email.</source>
        <translation>Per ricevere gli avvisi via email, assegnare al profilo un proprietario la cui cassetta postale abbia la posta in uscita abilitata.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="317"/>
        <source>The engine retries by itself; after 10 failures in a row the direction is disabled.</source>
        <translation>Il motore riprova da solo; dopo 10 errori di seguito la direzione viene disabilitata.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="318"/>
        <source>Fix the cause shown, then run Test &amp; Enable for the mailbox.</source>
        <translation>Risolvere la causa indicata, poi eseguire Verifica e abilita per la cassetta postale.</translation>
    </message>
</context>
<context>
    <name>removal</name>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/delete.py" line="35"/>
        <source>Delete {0}</source>
        <translation>Elimina {0}</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/delete.py" line="36"/>
        <source>Delete {0} “{1}”?</source>
        <translation>Eliminare {0} “{1}”?</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/delete.py" line="40"/>
        <source>Nothing is removed from Exchange or any mail server, and no CRM record is deleted.</source>
        <translation>Nulla viene rimosso da Exchange o da altri server di posta e nessun record del CRM viene eliminato.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/delete.py" line="42"/>
        <source>Delete</source>
        <translation>Elimina</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/delete.py" line="60"/>
        <source>Not deleted</source>
        <translation>Non eliminato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/dialogs/delete.py" line="63"/>
        <source>Deleted {0} “{1}”.</source>
        <translation>Eliminato: {0} “{1}”.</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="151"/>
        <source>{0} contacts, appointments and tasks synced with it stay in Exchange and in the CRM, no longer kept in step</source>
        <translation>{0} contatti, appuntamenti e attività sincronizzati restano in Exchange e nel CRM, non più allineati</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="152"/>
        <source>{0} tracked emails stay in the CRM</source>
        <translation>{0} email tracciate restano nel CRM</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="153"/>
        <source>{0} emails waiting to be sent from it will not be sent</source>
        <translation>{0} email in attesa di invio da questa cassetta non saranno inviate</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="154"/>
        <source>its history ({0} trace log rows, alerts and tracking decisions) is deleted</source>
        <translation>la sua cronologia ({0} righe del registro, avvisi e decisioni di tracciamento) viene eliminata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="155"/>
        <source>{0} is left without a mailbox</source>
        <translation>{0} resta senza cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="156"/>
        <source>its stored password is deleted</source>
        <translation>la password memorizzata viene eliminata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="157"/>
        <source>{0} mailboxes are left without a profile and stop syncing</source>
        <translation>{0} cassette postali restano senza profilo e smettono di sincronizzarsi</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="158"/>
        <source>mailbox {0} is left without an owner</source>
        <translation>la cassetta postale {0} resta senza proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="159"/>
        <source>{0} CRM records it owns (accounts, contacts, leads, activities) are left without an owner</source>
        <translation>{0} record del CRM di sua proprietà (account, contatti, lead, attività) restano senza proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="160"/>
        <source>its {0} sync filters are deleted</source>
        <translation>i suoi {0} filtri di sincronizzazione vengono eliminati</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="161"/>
        <source>{0} profiles send their alerts to no one</source>
        <translation>{0} profili non inviano più i loro avvisi a nessuno</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="162"/>
        <source>{0} synced contacts, appointments and tasks will be removed from the mailbox</source>
        <translation>{0} contatti, appuntamenti e attività sincronizzati verranno rimossi dalla cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="163"/>
        <source>{0} contacts, appointments and tasks of the new owner will be created in it</source>
        <translation>{0} contatti, appuntamenti e attività del nuovo proprietario verranno creati in essa</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="164"/>
        <source>mailbox</source>
        <translation>cassetta postale</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="165"/>
        <source>email server profile</source>
        <translation>profilo server di posta</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="166"/>
        <source>user</source>
        <translation>utente</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="167"/>
        <source>queue</source>
        <translation>coda</translation>
    </message>
</context>
<context>
    <name>states</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="168"/>
        <source>stopped</source>
        <translation>fermo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="169"/>
        <source>starting</source>
        <translation>in avvio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="170"/>
        <source>running</source>
        <translation>in esecuzione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="171"/>
        <source>stopping</source>
        <translation>in arresto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="172"/>
        <source>Address rejected</source>
        <translation>Indirizzo rifiutato</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="173"/>
        <source>Pending approval</source>
        <translation>In attesa di approvazione</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="174"/>
        <source>No profile</source>
        <translation>Nessun profilo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="175"/>
        <source>Disabled</source>
        <translation>Disattivata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="176"/>
        <source>Profile paused</source>
        <translation>Profilo in pausa</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="177"/>
        <source>Failing</source>
        <translation>Con errori</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="178"/>
        <source>Backing off</source>
        <translation>In attesa dopo errori</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="179"/>
        <source>Enabled</source>
        <translation>Attivata</translation>
    </message>
</context>
<context>
    <name>sync filter fields</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="184"/>
        <source>Owner</source>
        <translation>Proprietario</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="185"/>
        <source>Active</source>
        <translation>Attivo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="186"/>
        <source>First name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="187"/>
        <source>Last name</source>
        <translation>Cognome</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="188"/>
        <source>Email</source>
        <translation>Posta elettronica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="189"/>
        <source>Company</source>
        <translation>Società</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="190"/>
        <source>Job title</source>
        <translation>Qualifica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="191"/>
        <source>Modified on</source>
        <translation>Data modifica</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="192"/>
        <source>Subject</source>
        <translation>Oggetto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="193"/>
        <source>Location</source>
        <translation>Luogo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="194"/>
        <source>Start time</source>
        <translation>Ora di inizio</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="195"/>
        <source>End time</source>
        <translation>Ora di fine</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="196"/>
        <source>Due date</source>
        <translation>Scadenza</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="197"/>
        <source>Completed</source>
        <translation>Completata</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="198"/>
        <source>Percent complete</source>
        <translation>Percentuale completata</translation>
    </message>
</context>
<context>
    <name>sync filter operators</name>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="199"/>
        <source>equals</source>
        <translation>è uguale a</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="200"/>
        <source>does not equal</source>
        <translation>è diverso da</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="201"/>
        <source>contains</source>
        <translation>contiene</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="202"/>
        <source>does not contain</source>
        <translation>non contiene</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="203"/>
        <source>begins with</source>
        <translation>inizia con</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="204"/>
        <source>is empty</source>
        <translation>è vuoto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="205"/>
        <source>is not empty</source>
        <translation>non è vuoto</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="206"/>
        <source>is greater than</source>
        <translation>è maggiore di</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="207"/>
        <source>is less than</source>
        <translation>è minore di</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="208"/>
        <source>on or after</source>
        <translation>in data o dopo</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="209"/>
        <source>on or before</source>
        <translation>in data o prima</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="210"/>
        <source>in the last N days</source>
        <translation>negli ultimi N giorni</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="211"/>
        <source>in the next N days</source>
        <translation>nei prossimi N giorni</translation>
    </message>
    <message>
        <location filename="../../crmsync_gui/ui/translatable.py" line="212"/>
        <source>on or after N days ago</source>
        <translation>da N giorni fa in poi</translation>
    </message>
</context>
</TS>
