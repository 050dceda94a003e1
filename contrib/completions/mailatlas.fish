function __mailatlas_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __mailatlas_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __mailatlas_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __mailatlas_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __mailatlas_parse_tokens -S
    set -l unparsed_tokens (__mailatlas_tokens -pc)
    switch $unparsed_tokens[1]
    case 'mailatlas'
        __mailatlas_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'scan'
            __mailatlas_parse_subcommand -r 1 'db=' 'j/jobs=' 'label=' 'max-message-size=' 'follow-symlinks' 'prune' 'enrich=' 'resolver=' 'q/quiet' 'list-skipped' 'internal-networks=+' 'trusted-networks=+' 'trust-list-servers' 'no-trust-list-servers' 'origin-config=' 'public-suffix-list=' 'recover-defanged' 'learn-relays=' 'commit-every=' 'geo-db=+' 'geo-config=' 'no-embedded-geo' 'version' 'h/help'
        case 'sql'
            __mailatlas_parse_subcommand 1 'db=' 'format=' 'wide' 'version' 'h/help'
        case 'report'
            __mailatlas_parse_subcommand 0 'db=' 'month=' 'from=' 'to=' 'last=' 'verdict=' 'folder=+' 'top=' 'by=' 'tz=' 'format=' 'out=' 'templates=' 'q/quiet' 'version' 'h/help'
        case 'trace'
            __mailatlas_parse_subcommand 1 'db=' 'index=' 'json' 'internal-networks=+' 'trusted-networks=+' 'trust-list-servers' 'no-trust-list-servers' 'origin-config=' 'public-suffix-list=' 'recover-defanged' 'geo-db=+' 'geo-config=' 'no-embedded-geo' 'color=' 'version' 'h/help'
        case 'relays'
            __mailatlas_parse_subcommand 0 'db=' 'top=' 'version' 'h/help'
        case 'geo'
            __mailatlas_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'lookup'
                __mailatlas_parse_subcommand -r 1 'json' 'geo-db=+' 'geo-config=' 'no-embedded-geo' 'version' 'h/help'
            case 'info'
                __mailatlas_parse_subcommand 0 'json' 'geo-db=+' 'geo-config=' 'no-embedded-geo' 'version' 'h/help'
            case 'import'
                __mailatlas_parse_subcommand -r 1 'out=' 'name=' 'date=' 'attribution=' 'only-used-as-names' 'version' 'h/help'
            case 'refresh'
                __mailatlas_parse_subcommand 0 'db=' 'geo-db=+' 'geo-config=' 'no-embedded-geo' 'version' 'h/help'
            end
        case 'enrich'
            __mailatlas_parse_subcommand 0 'db=' 'geo-db=+' 'geo-config=' 'no-embedded-geo' 'dns' 'dnsbl=+' 'dnsbl-key=' 'dnsbl-linked' 'resolver=' 'since=' 'resolve-unique-hosts' 'concurrency=' 'timeout=' 'max-queries=' 'max-age=' 'deadline=' 'quiet' 'version' 'h/help'
        case 'help'
            __mailatlas_parse_subcommand -r 1 'version'
        end
    end
end

function __mailatlas_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __mailatlas_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __mailatlas_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __mailatlas_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__mailatlas_tokens -p)
    if test -z "$(__mailatlas_tokens -t)"
        set -l index (count (__mailatlas_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'mailatlas' -f
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'scan' -d 'Scan mail spools (Maildir, mbox, .eml trees, gzip) into the store; only what is new is read.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'sql' -d 'Run read-only SQL on the store (see docs/schema.md for the tables).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'report' -d 'Write the spam report of a period: by country, provider, origin IP, linked domain, attachment.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'trace' -d 'Show where one message came from: its Received hops, the trust boundary and why.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'relays' -d 'Show the receiving side the scan decided on: the site\'s relays and suspect origin IPs.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'geo' -d 'Look up, inspect and build the databases of country and AS by IP address.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'enrich' -d 'Look up what the store\'s linked hosts resolve to (opt-in network step).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" db' -l 'db' -d 'The SQLite store (default: $MAILATLAS_DB, else ./mailatlas.sqlite).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" j jobs' -l 'jobs' -s 'j' -d 'Parallel parse tasks (default: the number of active cores).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" label' -l 'label' -d 'Treat every message under these roots as spam or ham.' -rfka 'spam ham unknown'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" max-message-size' -l 'max-message-size' -d 'Messages larger than this are stored from their headers only, with a diagnostic.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" follow-symlinks' -l 'follow-symlinks' -d 'Follow symbolic links (loops are detected).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" prune' -l 'prune' -d 'Delete the rows of messages whose files have disappeared (otherwise they are kept and marked).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" enrich' -l 'enrich' -d 'After the scan, an opt-in network step for the messages it added: dns (resolve their linked hosts, as mailatlas enrich --dns does with its defaults).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" resolver' -l 'resolver' -d 'With --enrich dns: the resolver to ask (default: the system\'s).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" q quiet' -l 'quiet' -s 'q' -d 'No progress line and no summary; only errors.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" list-skipped' -l 'list-skipped' -d 'List the files under the roots that are not stored as mail, each with the reason (also with --quiet).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan"' -l 'internal-networks' -d 'The site\'s own relays (CIDR list, comma-separated): hops from them are inside.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan"' -l 'trusted-networks' -d 'Relays trusted not to forge Received headers (CIDR list): the origin is looked for below them.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" trust-list-servers' -l 'trust-list-servers' -d 'Treat an identified mailing-list server as a trusted forwarder (default) or as the origin.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" no-trust-list-servers' -l 'no-trust-list-servers' -d 'Treat an identified mailing-list server as a trusted forwarder (default) or as the origin.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" origin-config' -l 'origin-config' -d 'A file of origin settings (internal-networks, trusted-networks, trust-list-servers).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" public-suffix-list' -l 'public-suffix-list' -d 'A newer Public Suffix List to use instead of the embedded copy (publicsuffix.org format, e.g. /usr/share/publicsuffix/public_suffix_list.dat).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" recover-defanged' -l 'recover-defanged' -d 'Recover defanged links (hxxp://, example[.]com) and store them flagged as defanged.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" learn-relays' -l 'learn-relays' -d 'Messages read first to learn the site\'s own public relays (backup MX, forwarders); 0 turns it off.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" commit-every' -l 'commit-every' -d 'Messages written per transaction: what a kill loses and how often a reader sees progress.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan"' -l 'geo-db' -d 'An IP database (.mmdb or made by `geo import`); repeat for several, first answers first. `embedded` places the built-in one (default: last).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" geo-config' -l 'geo-config' -d 'A geo config file (see docs/geo.md).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" no-embedded-geo' -l 'no-embedded-geo' -d 'Do not use the built-in database.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas scan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas sql" db' -l 'db' -d 'The SQLite store (default: $MAILATLAS_DB, else ./mailatlas.sqlite).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas sql" format' -l 'format' -d 'table (aligned, the default), csv, tsv or json.' -rfka 'table csv tsv json'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas sql" wide' -l 'wide' -d 'Do not shorten long values in table output.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas sql" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas sql" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" db' -l 'db' -d 'The SQLite store (default: $MAILATLAS_DB, else ./mailatlas.sqlite).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" month' -l 'month' -d 'A calendar month.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" from' -l 'from' -d 'First day of the period (with --to).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" to' -l 'to' -d 'Last day of the period, included (with --from).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" last' -l 'last' -d 'The last N days or weeks, today included.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" verdict' -l 'verdict' -d 'Which messages to count.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report"' -l 'folder' -d 'Only messages in this folder, as stored (repeatable).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" top' -l 'top' -d 'Rows in the top tables (providers, IPs, domains, attachments).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" by' -l 'by' -d 'What puts a message in the period: its arrival (when the receiving side got it) or its Date header.' -rfka 'arrival date'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" tz' -l 'tz' -d 'Where days and months begin: a time zone name like Europe/Berlin (default: UTC).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" format' -l 'format' -d 'html (the default), csv or json.' -rfka 'html csv json'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" out' -l 'out' -d 'Where to write: a file for html and json (default: standard output), a directory for csv.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" templates' -l 'templates' -d 'A directory of templates replacing the built-in ones.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" q quiet' -l 'quiet' -s 'q' -d 'Say nothing when all went well (for cron); errors are still printed.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas report" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" db' -l 'db' -d 'A store made by `mailatlas scan`: decide as the scan that stored the message did, and compare.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" index' -l 'index' -d 'For an mbox file: which message (0 = the first).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace"' -l 'internal-networks' -d 'The site\'s own relays (CIDR list, comma-separated): hops from them are inside.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace"' -l 'trusted-networks' -d 'Relays trusted not to forge Received headers (CIDR list): the origin is looked for below them.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" trust-list-servers' -l 'trust-list-servers' -d 'Treat an identified mailing-list server as a trusted forwarder (default) or as the origin.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" no-trust-list-servers' -l 'no-trust-list-servers' -d 'Treat an identified mailing-list server as a trusted forwarder (default) or as the origin.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" origin-config' -l 'origin-config' -d 'A file of origin settings (internal-networks, trusted-networks, trust-list-servers).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" public-suffix-list' -l 'public-suffix-list' -d 'A newer Public Suffix List to use instead of the embedded copy (publicsuffix.org format, e.g. /usr/share/publicsuffix/public_suffix_list.dat).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" recover-defanged' -l 'recover-defanged' -d 'Recover defanged links (hxxp://, example[.]com) and store them flagged as defanged.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace"' -l 'geo-db' -d 'An IP database (.mmdb or made by `geo import`); repeat for several, first answers first. `embedded` places the built-in one (default: last).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" geo-config' -l 'geo-config' -d 'A geo config file (see docs/geo.md).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" no-embedded-geo' -l 'no-embedded-geo' -d 'Do not use the built-in database.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" color' -l 'color' -d 'Colour: auto (on a terminal), always or never.' -rfka 'auto always never'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas trace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas relays" db' -l 'db' -d 'The SQLite store (default: $MAILATLAS_DB, else ./mailatlas.sqlite).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas relays" top' -l 'top' -d 'Relays to list, most messages first.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas relays" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas relays" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas geo" -eq 1' -fa 'lookup' -d 'Country and AS of IP addresses (from the arguments, or one per line on standard input).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas geo" -eq 1' -fa 'info' -d 'The IP databases in use, in order of preference, with their dates and sizes.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas geo" -eq 1' -fa 'import' -d 'Build an IP database from range CSVs, RIR delegated files, ip2asn TSV and name lists.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_positional "mailatlas geo" -eq 1' -fa 'refresh' -d 'Re-resolve the country and AS of every stored origin and untrusted hop with today\'s databases.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo lookup" json' -l 'json' -d 'One JSON object per line.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo lookup"' -l 'geo-db' -d 'An IP database (.mmdb or made by `geo import`); repeat for several, first answers first. `embedded` places the built-in one (default: last).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo lookup" geo-config' -l 'geo-config' -d 'A geo config file (see docs/geo.md).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo lookup" no-embedded-geo' -l 'no-embedded-geo' -d 'Do not use the built-in database.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo lookup" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo lookup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo info" json' -l 'json' -d 'One JSON object per database and line.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo info"' -l 'geo-db' -d 'An IP database (.mmdb or made by `geo import`); repeat for several, first answers first. `embedded` places the built-in one (default: last).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo info" geo-config' -l 'geo-config' -d 'A geo config file (see docs/geo.md).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo info" no-embedded-geo' -l 'no-embedded-geo' -d 'Do not use the built-in database.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo info" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo import" out' -l 'out' -d 'The database file to write.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo import" name' -l 'name' -d 'The database\'s name, shown in `geo lookup` and stored with scans (default: the first file\'s name).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo import" date' -l 'date' -d 'The data\'s date, YYYY-MM-DD (default: the date the input carries).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo import" attribution' -l 'attribution' -d 'Attribution text the data\'s licence asks for.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo import" only-used-as-names' -l 'only-used-as-names' -d 'Keep only the AS names of numbers that some range uses (a smaller file).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo import" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo refresh" db' -l 'db' -d 'The SQLite store (default: $MAILATLAS_DB, else ./mailatlas.sqlite).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo refresh"' -l 'geo-db' -d 'An IP database (.mmdb or made by `geo import`); repeat for several, first answers first. `embedded` places the built-in one (default: last).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo refresh" geo-config' -l 'geo-config' -d 'A geo config file (see docs/geo.md).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo refresh" no-embedded-geo' -l 'no-embedded-geo' -d 'Do not use the built-in database.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo refresh" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas geo refresh" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" db' -l 'db' -d 'The SQLite store (default: $MAILATLAS_DB, else ./mailatlas.sqlite).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich"' -l 'geo-db' -d 'An IP database (.mmdb or made by `geo import`); repeat for several, first answers first. `embedded` places the built-in one (default: last).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" geo-config' -l 'geo-config' -d 'A geo config file (see docs/geo.md).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" no-embedded-geo' -l 'no-embedded-geo' -d 'Do not use the built-in database.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" dns' -l 'dns' -d 'Resolve linked hosts and place their addresses.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich"' -l 'dnsbl' -d 'Check the stored origin IPs against this DNS blocklist zone (repeat for several: zen.spamhaus.org, b.barracudacentral.org, bl.spamcop.net, …).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" dnsbl-key' -l 'dnsbl-key' -d 'A Spamhaus Data Query Service key, for zones under dq.spamhaus.net.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" dnsbl-linked' -l 'dnsbl-linked' -d 'With --dnsbl: also check the addresses the messages link to (IP links, and the addresses enrich --dns found for linked names).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" resolver' -l 'resolver' -d 'The resolver to ask (default: the system\'s, /etc/resolv.conf).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" since' -l 'since' -d 'Only messages that arrived in the last N days or weeks, or since a day.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" resolve-unique-hosts' -l 'resolve-unique-hosts' -d 'Also resolve host names that only one message links to (tells their DNS server it was read).'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" concurrency' -l 'concurrency' -d 'Lookups in flight at once.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" timeout' -l 'timeout' -d 'Each query\'s timeout, in milliseconds (two tries).' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" max-queries' -l 'max-queries' -d 'DNS queries per run at most (two per name); the rest wait for the next run.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" max-age' -l 'max-age' -d 'Answers younger than this many days are not asked again.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" deadline' -l 'deadline' -d 'The whole run ends after this many seconds; names not answered are timeouts.' -rfka ''
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" quiet' -l 'quiet' -d 'Print nothing but errors.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" version' -l 'version' -d 'Show the version.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas enrich" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailatlas' -n '__mailatlas_should_offer_completions_for_flags_or_options "mailatlas help" version' -l 'version' -d 'Show the version.'
